using System.Net;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Relay;

/// <summary>
/// Redis goes away while the API keeps writing. The events wait in the outbox, the position stays where the last
/// append ended, <c>/healthz</c> and <c>/metrics</c> say the relay is behind, and once Redis is back every event reaches
/// the stream, first copies in id order.
/// </summary>
public abstract class RelayOutageTests(TestApp app) : RelayTest(app)
{
    private TcpProxy Redis => ((IRedisBehindProxy)App).RedisProxy;

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

public sealed class RelayOutageTestsOnPostgres(RelayProxiedPostgresApp app) : RelayOutageTests(app), IClassFixture<RelayProxiedPostgresApp>;
