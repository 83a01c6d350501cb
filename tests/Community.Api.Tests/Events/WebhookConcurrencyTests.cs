using Community.Api.Webhooks;
using Community.Api.Events;
using Community.Api.Hosting;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Community.Api.Tests.Events;

/// <summary>Order per community under retries, and exclusive claims under several dispatchers.</summary>
public abstract class WebhookConcurrencyTests(TestApp app) : EventsTest(app)
{
    [Fact]
    public async Task PerCommunityOrderHoldsAcrossAHundredEventsWithRetries()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (r, seen) => r.EventId % 7 == 0 && seen == 1 ? 503 : 200; // every seventh event fails once
        await SubscribeAsync(receiver);
        var communities = new[] { (await App.Community()).Long("id"), (await App.Community()).Long("id") };
        for (var i = 0; i < 50; i++)
            foreach (var id in communities) await PatchSettingsAsync(id, $"message {i}");

        // Counted per community: the global subscription also gets the owners' user.created events, which belong to none.
        for (var round = 0; round < 20 && receiver.Received.Count(r => r.AnsweredWith == 200 && communities.Contains(r.CommunityId ?? 0)) < 102; round++)
        {
            await DrainAsync();
            App.Clock.Advance(EventTestSettings.Schedule[0]);
        }

        foreach (var id in communities)
        {
            var arrivals = receiver.Received.Where(r => r.CommunityId == id).Select(r => r.EventId).ToList();
            Assert.True(arrivals.Zip(arrivals.Skip(1)).All(p => p.First <= p.Second), $"Out of order for community {id}: {string.Join(", ", arrivals)}");
            var events = await App.Db(db => db.Events.Where(e => e.CommunityId == id).OrderBy(e => e.Id).Select(e => e.Id).ToListAsync());
            Assert.Equal(51, events.Count);
            Assert.Equal(events, receiver.Received.Where(r => r.CommunityId == id && r.AnsweredWith == 200).Select(r => r.EventId));
        }
        Assert.Contains(receiver.Received, r => r.AnsweredWith == 503);
    }

    /// <summary>Two dispatchers over one database, as two instances would run: every attempt is claimed by exactly one of them.</summary>
    [Fact]
    public async Task TwoDispatchersRunningTogetherNeverSendOneAttemptTwice()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var second = await WebhookReceiver.StartAsync(); // its own secret, its own endpoint
        await SubscribeAsync(receiver);
        var start = await App.Db(db => db.Events.MaxAsync(e => (long?)e.Id)) ?? 0;
        var communities = new List<long>();
        for (var c = 0; c < 10; c++) communities.Add((await App.Community()).Long("id"));
        await SubscribeAsync(second, communities[0]);
        foreach (var id in communities)
            for (var k = 0; k < 5; k++) await PatchSettingsAsync(id, $"message {k}");
        // The global subscription gets every event from here on (the new owners' user.created included);
        // the second one the five settings changes of the first community.
        var expected = await App.Db(db => db.Events.CountAsync(e => e.Id > start)) + 5;

        var dispatchers = new[] { Dispatcher, ActivatorUtilities.CreateInstance<WebhookDispatcher>(App.Services) };
        var received = () => receiver.Received.Concat(second.Received).ToList();
        await HorizonPassedAsync();
        for (var round = 0; round < 20 && received().Count < expected; round++)
            await Task.WhenAll(dispatchers.Select(d => Task.Run(() => d.RunOnceAsync(Ct))));

        Assert.Equal(expected, received().Count);
        Assert.All(received().GroupBy(r => r.WebhookId), g => Assert.Single(g));
        Assert.All(received(), r => Assert.True(r.SignatureValid));
        var attempts = await App.Db(db => db.WebhookDeliveries.Select(d => new { d.Status, d.Attempts }).ToListAsync());
        Assert.All(attempts, a => Assert.Equal((DeliveryStatus.Delivered, 1), (a.Status, a.Attempts)));
    }

    /// <summary>
    /// An instance that dies in the middle of an attempt (here: its dispatcher is cancelled while the receiver holds the
    /// request) never records it. Its community waits for one attempt's time, not more, and then gets the event again.
    /// </summary>
    [Fact]
    public async Task ADeliveryWhoseSenderDiedIsSentAgainAfterOneAttemptsTime()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var release = new TaskCompletionSource();
        receiver.Delay = () => release.Task;
        var communityId = (await App.Community()).Long("id");
        await SubscribeAsync(receiver, communityId);
        await PatchSettingsAsync(communityId, "first");
        await PatchSettingsAsync(communityId, "second");
        await HorizonPassedAsync(); // the dying cycle is one cycle: its events must already be below the feed horizon

        using (var dying = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            var cycle = Task.Run(() => ActivatorUtilities.CreateInstance<WebhookDispatcher>(App.Services).RunOnceAsync(dying.Token), Ct);
            Assert.True(await receiver.WaitForAsync(1, TimeSpan.FromSeconds(60)));
            await dying.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cycle);
        }
        release.SetResult();
        await DrainAsync();
        Assert.Single(receiver.Received); // leased by the dead instance: the second event waits behind it

        var timeout = TimeSpan.FromSeconds(App.Services.GetRequiredService<IOptions<WebhookOptions>>().Value.TimeoutSeconds);
        App.Clock.Advance(timeout + TimeSpan.FromSeconds(15));
        await DrainAsync();
        var arrivals = receiver.Received;
        Assert.Equal(3, arrivals.Count);
        Assert.Equal(arrivals[0].WebhookId, arrivals[1].WebhookId);
        Assert.True(arrivals[1].EventId < arrivals[2].EventId);
    }

    /// <summary>
    /// The lease is a fencing token: a record from a claim whose lease ran out and was taken over changes nothing, and
    /// neither does a record repeated after its commit (its answer lost on the way back from the database).
    /// </summary>
    [Fact]
    public async Task ARecordWithoutTheLeaseChangesNothing()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var communityId = (await App.Community()).Long("id");
        await SubscribeAsync(receiver, communityId);
        await PatchSettingsAsync(communityId, "claimed twice");
        var options = App.Services.GetRequiredService<IOptions<WebhookOptions>>().Value;
        var now = App.Clock.UtcNow();
        await HorizonPassedAsync();
        await App.Db(db => DeliveryQueue.FanOutAsync(db, now, 1000, Ct));
        var first = Assert.Single(await App.Db(db => DeliveryQueue.ClaimAsync(db, now, now + options.Lease(), 10, Ct)));
        var later = now + options.Lease();
        var second = Assert.Single(await App.Db(db => DeliveryQueue.ClaimAsync(db, later, later + options.Lease(), 10, Ct)));

        var failed = new AttemptOutcome(503, "The endpoint answered 503 Service Unavailable.");
        Assert.True(await App.Db(db => DeliveryQueue.RecordRunAsync(db, [(second, failed)], options.Schedule(), later, Ct)));
        Assert.False(await App.Db(db => DeliveryQueue.RecordRunAsync(db, [(second, failed)], options.Schedule(), later, Ct)));
        Assert.False(await App.Db(db => DeliveryQueue.RecordRunAsync(db, [(first, new AttemptOutcome(200, null))], options.Schedule(), later, Ct)));

        var row = await App.Db(db => db.WebhookDeliveries.AsNoTracking().SingleAsync(d => d.Id == first.Id, Ct));
        Assert.Equal((DeliveryStatus.Pending, 1, 503, (DateTime?)null), (row.Status, row.Attempts, row.LastStatusCode, row.LockedUntil));
    }

    /// <summary>
    /// A run (a queue's head and the deliveries behind it, sent in order under the head's lease) is recorded whole or
    /// not at all: the head's lease fences it. A run whose lease ran out and was claimed again records nothing; the run
    /// of the new claim records its head and what was sent behind it up to the first failure, which waits its retry,
    /// and leaves the rest untouched for the next run.
    /// </summary>
    [Fact]
    public async Task ARunIsRecordedOnlyWhileItsHeadsLeaseHolds()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var communityId = (await App.Community()).Long("id");
        await SubscribeAsync(receiver, communityId);
        for (var i = 0; i < 4; i++) await PatchSettingsAsync(communityId, $"run {i}");
        var options = App.Services.GetRequiredService<IOptions<WebhookOptions>>().Value;
        var now = App.Clock.UtcNow();
        await HorizonPassedAsync();
        await App.Db(db => DeliveryQueue.FanOutAsync(db, now, 1000, Ct));
        var first = Assert.Single(await App.Db(db => DeliveryQueue.ClaimRunsAsync(db, now, now + options.Lease(), 10, 50, Ct)));
        Assert.Equal(4, first.Count);
        Assert.True(first.Zip(first.Skip(1)).All(p => p.First.Event.Id < p.Second.Event.Id));
        Assert.Empty(await App.Db(db => DeliveryQueue.ClaimRunsAsync(db, now, now + options.Lease(), 10, 50, Ct))); // the head's lease holds the queue
        var later = now + options.Lease();
        var second = Assert.Single(await App.Db(db => DeliveryQueue.ClaimRunsAsync(db, later, later + options.Lease(), 10, 50, Ct)));
        Assert.Equal(first.Select(d => d.Id), second.Select(d => d.Id));

        var delivered = new AttemptOutcome(200, null);
        var failed = new AttemptOutcome(503, "The endpoint answered 503 Service Unavailable.");
        Assert.False(await App.Db(db => DeliveryQueue.RecordRunAsync(db, first.Select(d => (d, delivered)).ToList(), options.Schedule(), later, Ct)));
        Assert.True(await App.Db(db => DeliveryQueue.RecordRunAsync(db, [(second[0], delivered), (second[1], delivered), (second[2], failed)], options.Schedule(), later, Ct)));

        var rows = await App.Db(db => db.WebhookDeliveries.AsNoTracking().Where(d => second.Select(s => s.Id).Contains(d.Id)).OrderBy(d => d.EventId)
            .Select(d => new { d.Status, d.Attempts, d.LastStatusCode }).ToListAsync(Ct));
        Assert.Equal([(DeliveryStatus.Delivered, 1, (int?)200), (DeliveryStatus.Delivered, 1, 200), (DeliveryStatus.Pending, 1, 503), (DeliveryStatus.Pending, 0, null)],
            rows.Select(r => (r.Status, r.Attempts, r.LastStatusCode)));
    }

    /// <summary>
    /// Eight claimers race over 300 due deliveries in 300 communities (rows written directly: only the claim is under
    /// test). Each delivery must be claimed exactly once; on PostgreSQL this rests on FOR UPDATE SKIP LOCKED.
    /// </summary>
    [Fact]
    public async Task ConcurrentClaimsNeverTakeTheSameDelivery()
    {
        await (await App.Service().Post("/api/v1/webhooks", new { url = "http://127.0.0.1:9/hook" })).Data(System.Net.HttpStatusCode.Created);
        await App.Db(async db =>
        {
            db.Events.AddRange(Enumerable.Range(0, 300).Select(i => new OutboxEvent
            {
                Type = EventTypes.SettingsUpdated, CommunityId = 1_000_000 + i, OccurredAt = DateTime.UtcNow, DataJson = "{}",
            }));
            return await db.SaveChangesAsync();
        });
        await HorizonPassedAsync(); // fan-out takes only events below it
        var now = App.Clock.GetUtcNow().UtcDateTime;
        await App.Db(db => DeliveryQueue.FanOutAsync(db, now, 1000, Ct));

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var mine = new List<long>();
            while (await App.Db(db => DeliveryQueue.ClaimAsync(db, now, now.AddMinutes(5), 10, Ct)) is { Count: > 0 } batch)
                mine.AddRange(batch.Select(d => d.Id));
            return mine;
        })));

        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(300, all.Count);
        Assert.Equal(300, all.Distinct().Count());
    }
}

public sealed class WebhookConcurrencyTestsOnSqlite(EventsSqliteApp app) : WebhookConcurrencyTests(app), IClassFixture<EventsSqliteApp>;

public sealed class WebhookConcurrencyTestsOnPostgres(EventsPostgresApp app) : WebhookConcurrencyTests(app), IClassFixture<EventsPostgresApp>;

public sealed class WebhookConcurrencyTestsOnPgBouncer(EventsPgBouncerApp app) : WebhookConcurrencyTests(app), IClassFixture<EventsPgBouncerApp>;

/// <summary>The hosted dispatcher, left to its own loop: the one place a test waits on a real background thread.</summary>
public abstract class BackgroundDispatchTests(TestApp app) : EventsTest(app)
{
    [Fact]
    public async Task TheHostedDispatcherDeliversWithoutBeingDriven()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var communityId = (await App.Community()).Long("id");
        await SubscribeAsync(receiver, communityId);
        await PatchSettingsAsync(communityId, "on its own");

        Assert.True(await receiver.WaitForAsync(1, TimeSpan.FromSeconds(60)),
            $"The background dispatcher delivered nothing within 60 s. Its log:\n{string.Join('\n', App.Logs.Lines.Where(l => l.Contains("Webhook")))}");
        var got = Assert.Single(receiver.Received);
        Assert.True(got.SignatureValid);
        Assert.Equal("settings.updated", got.Type);
    }
}

public sealed class BackgroundDispatchTestsOnSqlite(BackgroundSqliteApp app) : BackgroundDispatchTests(app), IClassFixture<BackgroundSqliteApp>;

public sealed class BackgroundDispatchTestsOnPostgres(BackgroundPostgresApp app) : BackgroundDispatchTests(app), IClassFixture<BackgroundPostgresApp>;

/// <summary>A dispatcher that polls only once a minute still delivers at once: the commit wakes it.</summary>
public abstract class WakeOnCommitTests(TestApp app) : EventsTest(app)
{
    [Fact]
    public async Task ACommitWakesTheDispatcherLongBeforeItsNextPoll()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var communityId = (await App.Community()).Long("id");
        await SubscribeAsync(receiver, communityId);
        await Task.Delay(500, Ct); // the dispatcher has run its first cycle and sleeps for a minute now

        await PatchSettingsAsync(communityId, "wake up");
        Assert.True(await receiver.WaitForAsync(1, TimeSpan.FromSeconds(10)), "The commit did not wake the dispatcher.");
    }
}

public sealed class WakeOnCommitTestsOnSqlite(SlowPollSqliteApp app) : WakeOnCommitTests(app), IClassFixture<SlowPollSqliteApp>;

public sealed class WakeOnCommitTestsOnPostgres(SlowPollPostgresApp app) : WakeOnCommitTests(app), IClassFixture<SlowPollPostgresApp>;

/// <summary>
/// A commit whose events wait above the horizon (an older transaction is still open) is delivered as soon as that
/// transaction ends, not after the next poll: the dispatcher retries soon while the horizon holds events back.
/// </summary>
public sealed class HeldBackHorizonTestsOnPostgres(SlowPollPostgresApp app) : EventsTest(app), IClassFixture<SlowPollPostgresApp>
{
    [Fact]
    public async Task EventsHeldBackByAnOpenTransactionGoOutWhenItEnds()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var communityId = (await App.Community()).Long("id");
        await SubscribeAsync(receiver, communityId, ["settings.updated"]);
        await Task.Delay(500, Ct); // the dispatcher has run its first cycle and sleeps for a minute now

        await using var scope = App.Services.CreateAsyncScope();
        var older = scope.ServiceProvider.GetRequiredService<Community.Api.Data.CommunityDb>();
        await using var transaction = await older.Database.BeginTransactionAsync(Ct);
        await older.Database.ExecuteSqlRawAsync("SELECT txid_current()", Ct); // a transaction id: the horizon stops below it

        await PatchSettingsAsync(communityId, "held back");
        Assert.False(await receiver.WaitForAsync(1, TimeSpan.FromSeconds(1)), "An event above the horizon went out before the older transaction ended.");

        await transaction.RollbackAsync(Ct);
        Assert.True(await receiver.WaitForAsync(1, TimeSpan.FromSeconds(10)), "The held-back event waited for the next poll.");
    }
}
