using Community.Api.Data;
using Community.Api.Retention;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Community.Api.Tests.Retention;

/// <summary>
/// PostgreSQL's plans for pruning and for the feed on populated tables in the steady state retention keeps: 300 000
/// events and 100 000 deliveries (<c>RETENTION_PLAN_EVENTS</c> sets another number of events, a third as many
/// deliveries; <c>bench/retention-plans.sh</c> runs it at 10 M), of which a day's worth has just expired. Each statement
/// must reach its rows through an index, never by reading a whole table. The plans are written to
/// <c>TestResults/retention-plans.txt</c>.
/// </summary>
public sealed class RetentionPlanTests(PostgresApp app) : ApiTest(app), IClassFixture<PostgresApp>
{
    private static readonly int Events = int.TryParse(Environment.GetEnvironmentVariable("RETENTION_PLAN_EVENTS"), out var n) && n >= 3_000 ? n : 300_000;
    private static readonly int Deliveries = Events / 3, Chunk = Math.Max(5_000, Events / 100);

    // Spread over the same time whatever their number: events from 31 days ago over 347 days, deliveries from 15 days ago over 69.
    private static readonly double EventSpacingSeconds = 30_000_000.0 / Events, DeliverySpacingSeconds = 6_000_000.0 / Deliveries;

    private readonly List<string> _plans = [];

    [Fact]
    public async Task PruningAndFeedReadsUseIndexesOnALargeTable()
    {
        await using var connection = new NpgsqlConnection(App.Services.GetRequiredService<DatabaseSettings>().ConnectionString);
        await connection.OpenAsync(Ct);
        var now = DateTime.UtcNow;
        // Numbered here, not by the id trigger (which allows 4095 events a transaction); the database is this class's own.
        // Many short transactions, not one long one: an open transaction holds back the feed horizon of the whole
        // cluster, and so the webhook and feed tests of every other database.
        await ExecuteAsync(connection, "ALTER TABLE events DISABLE TRIGGER events_assign_id", now);
        for (var from = 1; from <= Events; from += Chunk)
            await ExecuteAsync(connection, $"""
                INSERT INTO events (id, type, community_id, occurred_at, data_json)
                    SELECT g, 'settings.updated', g % 500, @now - make_interval(days => 31) + make_interval(secs => g * {EventSpacingSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}), '{"{}"}'
                    FROM generate_series({from}, {Math.Min(from + Chunk - 1, Events)}) AS g
                """, now);
        await ExecuteAsync(connection, $"""
            ALTER TABLE events ENABLE TRIGGER events_assign_id;
            INSERT INTO webhook_subscriptions (url, event_types_json, secret_ciphertext, is_active, created_by, created_at, last_event_id)
                VALUES ('https://consumer.example/hook', '[]', 'sealed', true, 'test', @now, {Events})
            """, now);
        for (var from = 1; from <= Deliveries; from += Chunk)
            await ExecuteAsync(connection, $"""
                INSERT INTO webhook_deliveries (subscription_id, event_id, community_id, status, attempts, next_attempt_at, created_at)
                    SELECT (SELECT max(id) FROM webhook_subscriptions), g * 3, null, 'delivered', 1, @now,
                           @now - make_interval(days => 15) + make_interval(secs => g * {DeliverySpacingSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)})
                    FROM generate_series({from}, {Math.Min(from + Chunk - 1, Deliveries)}) AS g
                """, now);
        foreach (var table in new[] { "events", "webhook_deliveries", "webhook_subscriptions" }) await ExecuteAsync(connection, $"ANALYZE {table}", now);
        // Event g is 31 days old less g × its spacing: a day's worth (864 of 300 000) has expired; likewise the deliveries.

        var pruner = Pruner();
        var deleteEvents = await PlanAsync(connection, pruner.BatchSql("events", Api.Retention.Pruner.ExpiredEvents, 2), now.AddDays(-30), now.AddDays(-14), 1000);
        Assert.Contains("ix_events_occurred_at", deleteEvents);
        Assert.Contains("ix_webhook_deliveries_event_id", deleteEvents); // the same lookup the cascade to deliveries makes
        Assert.Contains("Tid Scan on events", deleteEvents);
        Assert.DoesNotContain("Seq Scan on events", deleteEvents);

        var deleteDeliveries = await PlanAsync(connection, pruner.BatchSql("webhook_deliveries", Api.Retention.Pruner.ExpiredDeliveries, 1), now.AddDays(-14), 1000);
        Assert.Contains("ix_webhook_deliveries_created_at", deleteDeliveries);
        Assert.DoesNotContain("Seq Scan on webhook_deliveries", deleteDeliveries);

        // The feed's after= read, as EventsApi builds it: everything, and one community.
        var feed = await PlanAsync(connection, "SELECT * FROM events WHERE id > @p0 AND id < @p1 ORDER BY id LIMIT 101", Events / 2L, long.MaxValue);
        Assert.Contains("Index Scan using pk_events", feed);
        var community = await PlanAsync(connection, "SELECT * FROM events WHERE id > @p0 AND id < @p1 AND community_id = @p2 ORDER BY id LIMIT 101", Events / 2L, long.MaxValue, 7L);
        Assert.Contains("ix_events_community_id_id", community);
        Assert.DoesNotContain("Seq Scan", feed + community);

        await File.WriteAllTextAsync(Path.Combine(Repository.ResultsDirectory, "retention-plans.txt"),
            $"{Events:N0} events, {Deliveries:N0} deliveries\n\n{string.Join("\n\n", _plans)}\n", Ct);
    }

    private Pruner Pruner() => App.Services.CreateScope().ServiceProvider.GetRequiredService<Pruner>();

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, DateTime now)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("now", now);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>EXPLAIN of <paramref name="sql"/>, its {0}, {1}… placeholders (as the pruner writes them) or @p0, @p1… bound to <paramref name="values"/>.</summary>
    private async Task<string> PlanAsync(NpgsqlConnection connection, string sql, params object[] values)
    {
        await using var command = new NpgsqlCommand("EXPLAIN " + string.Format(sql, values.Select((_, i) => (object)$"@p{i}").ToArray()), connection);
        for (var i = 0; i < values.Length; i++) command.Parameters.AddWithValue($"p{i}", values[i]);
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct)) lines.Add(reader.GetString(0));
        var plan = string.Join('\n', lines);
        _plans.Add($"{sql}\n{plan}");
        return plan;
    }
}
