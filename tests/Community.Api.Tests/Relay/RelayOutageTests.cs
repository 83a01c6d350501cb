using System.Diagnostics;
using System.Net;
using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Api.Tests.Relay;

/// <summary>
/// Redis goes away while the API keeps writing. The events wait in the outbox, the position stays where the last
/// append ended, <c>/healthz</c> and <c>/metrics</c> say the relay is behind, and once Redis is back every event reaches
/// the stream, first copies in id order.
/// </summary>
public abstract class RelayOutageTests(TestApp app) : RelayTest(app)
{
    protected TcpProxy Redis => ((IRedisBehindProxy)App).RedisProxy;

    [Fact]
    public async Task ARedisOutageDuringWritesLosesNothingOnceRedisReturns()
    {
        await using var consumer = await ConsumerAsync();
        var (communityId, channel) = await App.ConnectedCommunity();
        await CaughtUpAsync("the relay never caught up before the outage");
        var before = await PositionAsync();

        Redis.Cut();
        var viewers = new List<long>();
        for (var i = 0; i < 10; i++) viewers.Add((await App.Join(channel, Unique("viewer"))).Long("hub_user_id"));
        await (await App.Service().Post($"/api/v1/communities/{communityId}/members/{viewers[0]}/ban", new { reason = "raid" })).Data();
        var written = await EventIdsAsync();

        await Until(async () => await HealthzAsync(App) == (HttpStatusCode.ServiceUnavailable, "warning"), "/healthz never reported the relay degraded");
        await Until(async () => await MetricAsync(App, "waddlebot_relay_lag_events") >= 11, "the lag in events never counted the writes");
        Assert.True(await MetricAsync(App, "waddlebot_relay_lag_seconds") >= 0);
        Assert.Equal(before, await PositionAsync());

        Redis.Restore();
        var received = await consumer.UntilAllAsync(written, Ct);
        AssertFirstCopiesInIdOrder(received);
        await AssertMatchesTheOutbox(received);
        Assert.Contains(received, m => m.Type == "member.banned" && m.CommunityId == communityId && m.Data.GetProperty("member").Long("hub_user_id") == viewers[0]);

        await CaughtUpAsync("the position never passed the events written during the outage");
        await Until(async () => (await HealthzAsync(App)).Relay == "ok", "/healthz never reported the relay healthy again");
        await Until(async () => await MetricAsync(App, "waddlebot_relay_lag_events") == 0, "the lag in events never came back to 0");
    }
}

public sealed class RelayOutageTestsOnSqlite(RelayProxiedSqliteApp app) : RelayOutageTests(app), IClassFixture<RelayProxiedSqliteApp>;

public sealed class RelayOutageTestsOnPostgres(RelayProxiedPostgresApp app) : RelayOutageTests(app), IClassFixture<RelayProxiedPostgresApp>
{
    /// <summary>
    /// A Redis that hangs keeps the relay waiting on its append (up to the client's timeout). Meanwhile no transaction
    /// of the relay holds a transaction id, which would hold back the cluster-wide feed horizon, so the feed, the
    /// webhooks and every other relay would wait on this Redis too.
    /// </summary>
    [Fact]
    public async Task WhileRedisHangsTheRelayHoldsNoTransactionIdThatWouldHoldBackOtherReaders()
    {
        await using var consumer = await ConsumerAsync();
        var communityId = (await App.Community()).Long("id");
        await CaughtUpAsync("the relay never caught up before Redis hung");
        var before = await PositionAsync();

        Redis.Stall();
        long written;
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var e = scope.ServiceProvider.GetRequiredService<Journal>().Event(EventTypes.CommunityUpdated, communityId, new { note = "while Redis hangs" });
            await scope.ServiceProvider.GetRequiredService<CommunityDb>().SaveChangesAsync(Ct); // the commit wakes the relay
            written = e.Id;
        }
        var holding = new List<int>();
        for (var watched = Stopwatch.StartNew(); watched.Elapsed < TimeSpan.FromSeconds(1.5);)
        {
            holding.Add(await App.Db(db => db.Database.SqlQueryRaw<int>(
                "SELECT count(*)::int AS \"Value\" FROM pg_stat_activity WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()")
                .SingleAsync(Ct)));
            await Task.Delay(20, Ct);
        }
        Assert.Equal(before, await PositionAsync()); // the relay was still waiting on Redis all along
        Assert.All(holding, count => Assert.Equal(0, count));

        Redis.Restore();
        await consumer.UntilAllAsync([written], Ct);
        await CaughtUpAsync("the relay never caught up once Redis answered again");
    }
}
