using System.Globalization;
using System.Net;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Tests.Relay;

/// <summary>Helpers of the relay tests: the app's stream, what its database holds, and what the relay reports.</summary>
public abstract class RelayTest(TestApp app) : ApiTest(app)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    protected string StreamKey => ((IRelayApp)App).StreamKey;

    protected Task<FleetConsumer> ConsumerAsync() => FleetConsumer.JoinAsync(StreamKey);

    /// <summary>Every event id in the database, in id order.</summary>
    protected Task<List<long>> EventIdsAsync() => App.Db(db => db.Events.OrderBy(e => e.Id).Select(e => e.Id).ToListAsync());

    /// <summary>The stored position of this app's stream; null before a relay made it.</summary>
    protected Task<long?> PositionAsync() =>
        App.Db(db => db.RelayPositions.Where(p => p.Stream == StreamKey).Select(p => (long?)p.LastEventId).FirstOrDefaultAsync());

    /// <summary>
    /// The first copy of every event comes after the first copies of every event below it: a consumer that drops repeats
    /// by id sees the outbox in id order, so in order per community.
    /// </summary>
    protected static void AssertFirstCopiesInIdOrder(IReadOnlyList<FleetMessage> received)
    {
        var firsts = received.Select(m => m.Id).Distinct().ToList();
        Assert.Equal(firsts.Order(), firsts);
        foreach (var community in received.GroupBy(m => m.CommunityId))
        {
            var ids = community.Select(m => m.Id).Distinct().ToList();
            Assert.Equal(ids.Order(), ids);
        }
    }

    /// <summary>Each received message is the event the database holds under its id, in the fleet's entry format.</summary>
    protected async Task AssertMatchesTheOutbox(IEnumerable<FleetMessage> received)
    {
        var events = await App.Db(db => db.Events.ToDictionaryAsync(e => e.Id));
        foreach (var message in received)
        {
            Assert.Equal(["data", "timestamp", "retry_count"], message.Fields);
            Assert.Equal(0, message.RetryCount);
            Assert.True(DateTime.TryParseExact(message.Timestamp, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out _), $"timestamp '{message.Timestamp}' is not ISO 8601 UTC");
            var stored = events[message.Id];
            Assert.Equal((stored.Type, stored.CommunityId), (message.Type, message.CommunityId));
            Assert.Equal(stored.OccurredAt, message.Event.GetProperty("occurred_at").GetDateTime().ToUniversalTime());
            Assert.True(System.Text.Json.JsonElement.DeepEquals(System.Text.Json.JsonDocument.Parse(stored.DataJson).RootElement, message.Data));
        }
    }

    /// <summary>Waits until the stored position has passed every event in the database.</summary>
    protected async Task CaughtUpAsync(string because)
    {
        await Until(async () => await PositionAsync() is { } position && position >= (await EventIdsAsync()).LastOrDefault(), because);
    }

    /// <summary><c>/healthz</c>'s status code and its <c>relay</c> check (null when there is none).</summary>
    protected static async Task<(HttpStatusCode Status, string? Relay)> HealthzAsync(TestApp instance)
    {
        var response = await instance.Anonymous().GetAsync("/healthz", TestContext.Current.CancellationToken);
        var checks = (await response.Json()).GetProperty("checks");
        return (response.StatusCode, checks.TryGetProperty("relay", out var relay) ? relay.GetString() : null);
    }

    /// <summary>A relay series of this app's stream from <c>/metrics</c>; null when it is not exported.</summary>
    protected async Task<double?> MetricAsync(TestApp instance, string family)
    {
        var prefix = $"{family}{{stream=\"{StreamKey}\"}} ";
        var line = (await instance.Anonymous().GetStringAsync("/metrics", Ct)).Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? null : double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
    }

    protected async Task Until(Func<Task<bool>> condition, string failure)
    {
        var giveUp = DateTime.UtcNow + Bound;
        while (!await condition())
        {
            if (DateTime.UtcNow > giveUp) Assert.Fail($"{failure} within {Bound.TotalSeconds} s.");
            await Task.Delay(50, Ct);
        }
    }
}
