using System.Text.Json;
using Community.Api.Caching;
using Community.Api.Tests.Auth;
using Community.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Api.Tests.Caching;

/// <summary>
/// Two instances, one database, one Redis that goes away. Without Redis an instance cannot hear the other's
/// invalidations, so it must stop trusting its cache at once (not serve a stale "not banned" until the entry expires),
/// and once Redis is back it empties its cache and trusts it again.
/// </summary>
public abstract class RedisOutageTests(TestApp app) : ApiTest(app)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Trusting again waits for the Redis client to reconnect and resubscribe, on its own backoff; on a loaded machine
    /// that takes longer than distrust, which is what safety depends on and keeps the tight bound.
    /// </summary>
    private static readonly TimeSpan ReconnectBound = TimeSpan.FromSeconds(20);

    private TcpProxy Redis => ((IRedisBehindProxy)App).RedisProxy;

    [Fact]
    public async Task WhileRedisIsDownTheOtherInstanceAnswersFromTheDatabaseAndTrustsItsCacheAgainAfterwards()
    {
        var (community, channel) = await App.ConnectedCommunity();
        var account = Unique("viewer");
        var viewer = (await App.Join(channel, account)).Long("hub_user_id");
        await using var other = await SecondInstance.StartAsync(App);
        var otherCache = other.Services.GetRequiredService<TaggedCache>();
        await Until(() => otherCache.Trusted, "the second instance never trusted its cache");
        Assert.False((await Lookup(other, channel, account)).Bool("banned")); // cached on the second instance now

        Redis.Cut();
        await App.BanByService(community, viewer);
        await Until(async () => (await Lookup(other, channel, account)).Bool("banned"), "the second instance kept answering not banned");
        Assert.False(otherCache.Trusted);

        Redis.Restore();
        await Until(() => Task.FromResult(otherCache.Trusted), "the second instance never trusted its cache again", ReconnectBound);
        Assert.True((await Lookup(other, channel, account)).Bool("banned"));
        await App.Service().Send(HttpMethod.Delete, $"/api/v1/communities/{community}/members/{viewer}/ban");
        await Until(async () => !(await Lookup(other, channel, account)).Bool("banned"), "an unban after the outage never reached the second instance");
    }

    private async Task<JsonElement> Lookup(TestApp instance, string channel, string account) =>
        await instance.Service().Lookup(channel, account).Data();

    private Task Until(Func<bool> condition, string failure) => Until(() => Task.FromResult(condition()), failure);

    private async Task Until(Func<Task<bool>> condition, string failure, TimeSpan? within = null)
    {
        var bound = within ?? Bound;
        var giveUp = DateTime.UtcNow + bound;
        while (!await condition())
        {
            if (DateTime.UtcNow > giveUp) Assert.Fail($"{failure} within {bound.TotalSeconds} s.");
            await Task.Delay(50, Ct);
        }
    }
}

public sealed class RedisOutageTestsOnSqlite(RedisProxiedSqliteApp app) : RedisOutageTests(app), IClassFixture<RedisProxiedSqliteApp>;

public sealed class RedisOutageTestsOnPostgres(RedisProxiedPostgresApp app) : RedisOutageTests(app), IClassFixture<RedisProxiedPostgresApp>;
