using Community.Api.Events;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Tests.Retention;

/// <summary>The background job prunes on its own, every <c>Retention:IntervalSeconds</c>.</summary>
public abstract class RetentionJobTests(TestApp app) : ApiTest(app)
{
    [Fact]
    public async Task TheJobDeletesAnExpiredEventWithinAFewIntervals()
    {
        var expired = await App.Db(async db =>
        {
            var e = new OutboxEvent { Type = EventTypes.SettingsUpdated, OccurredAt = App.Clock.GetUtcNow().UtcDateTime.AddDays(-31), DataJson = "{}" };
            db.Events.Add(e);
            await db.SaveChangesAsync();
            return e.Id;
        });

        for (var waited = 0; await App.Db(db => db.Events.AnyAsync(e => e.Id == expired)); waited += 100)
        {
            Assert.True(waited < 15_000, "The job left an expired event for 15 s with a 1 s interval.");
            await Task.Delay(100, Ct);
        }
    }
}

internal static class FrequentRetention
{
    public static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?>
    {
        ["Retention:Enabled"] = "true",
        ["Retention:IntervalSeconds"] = "1",
    };
}

public sealed class FrequentRetentionSqliteApp : SqliteApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => FrequentRetention.Settings;
}

public sealed class FrequentRetentionPostgresApp : PostgresApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => FrequentRetention.Settings;
}

public sealed class RetentionJobTestsOnSqlite(FrequentRetentionSqliteApp app) : RetentionJobTests(app), IClassFixture<FrequentRetentionSqliteApp>;

public sealed class RetentionJobTestsOnPostgres(FrequentRetentionPostgresApp app) : RetentionJobTests(app), IClassFixture<FrequentRetentionPostgresApp>;
