using System.Net;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Caching;

/// <summary>The service on SQLite with REDIS_URL pointing at a port where nothing listens.</summary>
public sealed class DeadRedisApp : SqliteApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?> { ["REDIS_URL"] = "redis://127.0.0.1:9" };
}

/// <summary>
/// Redis is an accelerator, not a dependency: without it the service answers correctly and says it is degraded
/// (readiness answers 503 for that, as every fleet module does).
/// </summary>
public sealed class UnreachableRedisTests(DeadRedisApp app) : ApiTest(app), IClassFixture<DeadRedisApp>
{
    [Fact]
    public async Task TheServiceKeepsAnsweringAndReportsItselfDegraded()
    {
        var (communityId, channel) = await App.ConnectedCommunity();
        var joined = await App.Join(channel, Unique("viewer"));
        var lookup = $"/api/v1/lookup?platform=twitch&platform_community_id={channel}&platform_user_id={joined.GetProperty("member").Long("hub_user_id")}";
        Assert.Equal(communityId, (await (await App.Service().GetAsync(lookup, Ct)).Data()).GetProperty("community").Long("id"));

        var health = await App.Anonymous().GetAsync("/healthz", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        var body = await health.Json();
        Assert.Equal("degraded", body.Str("status"));
        Assert.Equal("unreachable", body.GetProperty("checks").Str("redis"));
        Assert.Equal("ok", body.GetProperty("checks").Str("database"));
    }
}
