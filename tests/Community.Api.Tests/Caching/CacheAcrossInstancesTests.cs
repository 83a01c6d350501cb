using System.Text.Json;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Caching;

/// <summary>
/// Two instances share one database and one Redis. A write through one must reach the other's in-process cache:
/// HybridCache alone would leave the second instance's copy stale for minutes; the pub/sub invalidation fixes it.
/// </summary>
public abstract class CacheAcrossInstancesTests(TestApp app) : ApiTest(app)
{
    [Fact]
    public async Task AWriteOnOneInstanceIsSeenByTheOthersCachedLookup()
    {
        var (communityId, channel) = await App.ConnectedCommunity();
        var hubUserId = (await App.Join(channel, Unique("viewer"))).Long("hub_user_id");
        await using var other = await SecondInstance.StartAsync(App);
        var lookup = $"/api/v1/lookup?platform=twitch&platform_community_id={channel}&platform_user_id=";
        var account = (await App.Db(db => Task.FromResult(db.UserIdentities.Single(i => i.HubUserId == hubUserId)))).PlatformUserId;

        Assert.Equal(600, (await (await other.Service().GetAsync(lookup + account, Ct)).Data()).GetProperty("member").Int("reputation"));
        await App.Service().Post($"/api/v1/communities/{communityId}/members/{hubUserId}/reputation", new { delta = 50, reason = "kind" });
        await Eventually(other, lookup + account, data => data.GetProperty("member").Int("reputation") == 650);

        await App.Service().DeleteAsync($"/api/v1/communities/{communityId}", Ct);
        await Eventually(other, lookup + account, data => !data.GetProperty("community").Bool("is_active"));
    }

    [Fact]
    public async Task ASettingsChangeOnOneInstanceIsSeenByTheOther()
    {
        var communityId = (await App.Community()).Long("id");
        await using var other = await SecondInstance.StartAsync(App);
        var url = $"/api/v1/communities/{communityId}/settings";

        Assert.Equal("!", (await (await other.Service().GetAsync(url, Ct)).Data()).Str("command_prefix"));
        await (await App.Service().Patch(url, new Dictionary<string, object> { ["command_prefix"] = "?" })).Data();
        await Eventually(other, url, data => data.Str("command_prefix") == "?");
    }

    [Fact]
    public async Task ARenameSeenByOneInstanceReachesTheOthersCachedJoin()
    {
        var (_, channel) = await App.ConnectedCommunity();
        var account = Unique("viewer");
        await App.Join(channel, account);
        await using var other = await SecondInstance.StartAsync(App);
        var join = new { platform = "twitch", platform_community_id = channel, platform_user_id = account };
        async Task<string> UsernameOn(TestApp instance) =>
            (await instance.Service().Post("/api/v1/members/join", join).Data()).GetProperty("member").Str("username");

        Assert.Equal(account, await UsernameOn(other));
        await App.Join(channel, account, username: "Teal"); // a sighting: no event, but the hub username follows
        for (var attempt = 0; attempt < 50 && await UsernameOn(other) != "Teal"; attempt++) await Task.Delay(100, Ct);

        Assert.Equal("Teal", await UsernameOn(other));
    }

    /// <summary>Invalidations travel over pub/sub, a background delivery: poll, within a bound, for the new state.</summary>
    private async Task Eventually(TestApp instance, string url, Func<JsonElement, bool> condition)
    {
        JsonElement data = default;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            data = await (await instance.Service().GetAsync(url, Ct)).Data();
            if (condition(data)) return;
            await Task.Delay(100, Ct);
        }
        Assert.Fail($"The second instance still answers {data} five seconds after the write.");
    }
}

public sealed class CacheAcrossInstancesTestsOnSqlite(RedisSqliteApp app) : CacheAcrossInstancesTests(app), IClassFixture<RedisSqliteApp>;

public sealed class CacheAcrossInstancesTestsOnPostgres(RedisPostgresApp app) : CacheAcrossInstancesTests(app), IClassFixture<RedisPostgresApp>;
