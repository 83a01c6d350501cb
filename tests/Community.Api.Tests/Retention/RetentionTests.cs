using Community.Api.Audit;
using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Idempotency;
using Community.Api.Relay;
using Community.Api.Retention;
using Community.Api.Tests.Infrastructure;
using Community.Api.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Api.Tests.Retention;

/// <summary>
/// Retention with the default windows (events 30 days, finished deliveries 14, idempotency keys 24 h, audit 365) in
/// batches of three rows, so every pass here takes several batches. Rows are written with timestamps relative to the
/// app's clock; a test that needs time to pass moves the clock.
/// </summary>
public abstract class RetentionTests(TestApp app) : ApiTest(app)
{
    private DateTime Now => App.Clock.GetUtcNow().UtcDateTime;

    [Fact]
    public async Task ExpiredEventsGoInBatchesAndYoungerOnesStay()
    {
        var expired = new List<long>();
        for (var i = 0; i < 7; i++) expired.Add(await EventAsync(Now.AddDays(-31)));
        var young = await EventAsync(Now.AddDays(-29));

        var pruned = await PruneAsync();

        Assert.True(pruned.Events >= expired.Count, $"{pruned.Events} events deleted");
        Assert.Equal([young], await App.Db(db => db.Events.Where(e => expired.Contains(e.Id) || e.Id == young).Select(e => e.Id).ToListAsync()));
    }

    [Fact]
    public async Task AnEventStaysUntilEveryActiveSubscriptionHasPassedItAndItsDeliveriesHaveExpired()
    {
        var subscription = await SubscriptionAsync(active: true);
        await SubscriptionAsync(active: false, startAt: 0); // a disabled subscription holds nothing back
        var old = await EventAsync(Now.AddDays(-31));

        await PruneAsync();
        Assert.True(await ExistsAsync(old), "deleted before the subscription fanned it out");

        // The fan-out stops at the feed horizon, which a long transaction in another test's database can hold back a while.
        for (var tries = 0; await App.Db(db => db.WebhookSubscriptions.Where(s => s.Id == subscription).Select(s => s.LastEventId).SingleAsync()) != old; tries++)
        {
            Assert.True(tries < 300, "The fan-out did not reach the event within 30 s.");
            await App.Db(db => DeliveryQueue.FanOutAsync(db, Now, 1000, Ct));
            await Task.Delay(100, Ct);
        }
        App.Clock.Advance(TimeSpan.FromDays(20)); // a pending delivery is kept past every window
        await PruneAsync();
        Assert.True(await ExistsAsync(old), "deleted while its delivery was pending");

        await App.Db(db => db.WebhookDeliveries.Where(d => d.EventId == old)
            .ExecuteUpdateAsync(d => d.SetProperty(x => x.Status, DeliveryStatus.Delivered).SetProperty(x => x.CreatedAt, Now).SetProperty(x => x.DeliveredAt, Now)));
        await PruneAsync();
        Assert.True(await ExistsAsync(old), "deleted with a delivery the delivery window still keeps");

        App.Clock.Advance(TimeSpan.FromDays(15));
        var pruned = await PruneAsync();
        Assert.True(pruned.WebhookDeliveries >= 1 && pruned.Events >= 1, pruned.ToString());
        Assert.False(await ExistsAsync(old));
        Assert.Equal(0, await App.Db(db => db.WebhookDeliveries.CountAsync(d => d.EventId == old)));
    }

    [Fact]
    public async Task AnEventStaysUntilTheStreamRelayHasAppendedIt()
    {
        var stream = Unique("waddlebot:stream:test");
        var old = await EventAsync(Now.AddDays(-31));
        await App.Db(db =>
        {
            db.RelayPositions.Add(new RelayPosition { Stream = stream, LastEventId = old - 1, UpdatedAt = Now });
            return db.SaveChangesAsync();
        });

        await PruneAsync();
        Assert.True(await ExistsAsync(old), "deleted before the relay appended it");

        await App.Db(db => db.RelayPositions.Where(p => p.Stream == stream).ExecuteUpdateAsync(p => p.SetProperty(x => x.LastEventId, old)));
        await PruneAsync();
        Assert.False(await ExistsAsync(old));
    }

    [Fact]
    public async Task IdempotencyKeysLiveADayAndAuditEntriesAYear()
    {
        var keys = new[] { (Unique("k"), Now.AddHours(-25)), (Unique("k"), Now.AddHours(-23)) };
        var audits = new List<long>();
        await App.Db(async db =>
        {
            foreach (var (key, at) in keys)
                db.IdempotencyRecords.Add(new IdempotencyRecord { Caller = "service:retention", IdempotencyKey = key, RequestHash = "h", StatusCode = 201, CreatedAt = at });
            var entries = new[] { -366, -364, -31 }.Select(days => Audit(Now.AddDays(days))).ToList();
            db.AuditLog.AddRange(entries);
            await db.SaveChangesAsync();
            audits.AddRange(entries.Select(e => e.Id));
            return 0;
        });

        await PruneAsync();

        Assert.Equal([keys[1].Item1], await App.Db(db => db.IdempotencyRecords.Where(r => r.Caller == "service:retention").Select(r => r.IdempotencyKey).ToListAsync()));
        Assert.Equal(audits[1..], await App.Db(db => db.AuditLog.Where(a => audits.Contains(a.Id)).OrderBy(a => a.Id).Select(a => a.Id).ToListAsync()));
    }

    [Fact]
    public async Task ADryRunCountsWhatAPassDeletesAndDeletesNothing()
    {
        await PruneAsync(); // whatever other tests left to expire
        var events = new[] { await EventAsync(Now.AddDays(-40)), await EventAsync(Now.AddDays(-31)) };
        var subscription = await SubscriptionAsync(active: false);
        var young = await EventAsync(Now);
        await App.Db(async db =>
        {
            db.AuditLog.Add(Audit(Now.AddDays(-400)));
            db.IdempotencyRecords.Add(new IdempotencyRecord { Caller = "service:retention", IdempotencyKey = Unique("k"), RequestHash = "h", CreatedAt = Now.AddDays(-2) });
            db.WebhookDeliveries.Add(new WebhookDelivery { SubscriptionId = subscription, EventId = young, Status = DeliveryStatus.Failed, CreatedAt = Now.AddDays(-15), NextAttemptAt = Now });
            return await db.SaveChangesAsync();
        });
        var before = await RowsAsync();

        var counted = await PruneAsync(dryRun: true);

        Assert.Equal(new PruneCounts(IdempotencyKeys: 1, WebhookDeliveries: 1, Events: 2, AuditLog: 1), counted);
        Assert.Equal(before, await RowsAsync());
        Assert.Equal(counted, await PruneAsync());
        Assert.False(await ExistsAsync(events[0]) || await ExistsAsync(events[1]));
        Assert.True(await ExistsAsync(young));
    }

    [Fact]
    public async Task FourPrunersAtOnceDeleteEveryExpiredRowOnce()
    {
        await PruneAsync();
        var expired = new List<long>();
        for (var i = 0; i < 40; i++) expired.Add(await EventAsync(Now.AddDays(-31)));

        var passes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => PruneAsync())));

        Assert.Equal(expired.Count, passes.Sum(p => p.Events));
        Assert.Equal(0, await App.Db(db => db.Events.CountAsync(e => expired.Contains(e.Id))));
    }

    /// <summary>Removes the test's subscriptions (and with them their deliveries) and relay positions: they would hold the next test's events.</summary>
    public override async ValueTask DisposeAsync()
    {
        if (App.SkipReason is null)
            await App.Db(async db => await db.WebhookSubscriptions.ExecuteDeleteAsync() + await db.RelayPositions.ExecuteDeleteAsync());
        await base.DisposeAsync();
    }

    private async Task<PruneCounts> PruneAsync(bool dryRun = false)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<Pruner>().RunAsync(dryRun, Ct);
    }

    private Task<long> EventAsync(DateTime at) => App.Db(async db =>
    {
        var e = new OutboxEvent { Type = EventTypes.SettingsUpdated, OccurredAt = at, DataJson = "{}" };
        db.Events.Add(e);
        await db.SaveChangesAsync();
        return e.Id;
    });

    /// <summary>A subscription as creating one makes it: at the newest event, unless <paramref name="startAt"/> says otherwise.</summary>
    private Task<long> SubscriptionAsync(bool active, long? startAt = null) => App.Db(async db =>
    {
        var s = new WebhookSubscription
        {
            Url = "https://consumer.example/hook", EventTypesJson = "[]", SecretCiphertext = "sealed", CreatedBy = "service:retention",
            CreatedAt = Now, IsActive = active, DisabledReason = active ? null : "test",
            LastEventId = startAt ?? await db.Events.MaxAsync(e => (long?)e.Id) ?? 0,
        };
        db.WebhookSubscriptions.Add(s);
        await db.SaveChangesAsync();
        return s.Id;
    });

    private static AuditEntry Audit(DateTime at) => new()
    {
        ActorType = "service", ActorId = "retention", Action = "test.retention", TargetType = "test", OccurredAt = at,
    };

    private Task<bool> ExistsAsync(long eventId) => App.Db(db => db.Events.AnyAsync(e => e.Id == eventId));

    private Task<(int, int, int, int)> RowsAsync() => App.Db(async db =>
        (await db.Events.CountAsync(), await db.WebhookDeliveries.CountAsync(), await db.AuditLog.CountAsync(), await db.IdempotencyRecords.CountAsync()));
}

internal static class SmallBatches
{
    public static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?> { ["Retention:BatchSize"] = "3" };
}

public sealed class SmallBatchSqliteApp : SqliteApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => SmallBatches.Settings;
}

public sealed class SmallBatchPostgresApp : PostgresApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => SmallBatches.Settings;
}

public sealed class RetentionTestsOnSqlite(SmallBatchSqliteApp app) : RetentionTests(app), IClassFixture<SmallBatchSqliteApp>;

public sealed class RetentionTestsOnPostgres(SmallBatchPostgresApp app) : RetentionTests(app), IClassFixture<SmallBatchPostgresApp>;
