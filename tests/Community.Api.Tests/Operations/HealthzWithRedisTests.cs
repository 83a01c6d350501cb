using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Operations;

/// <summary>With <c>REDIS_URL</c> set, <c>/healthz</c> checks Redis and the relay into its stream (on by default) beside the database, memory and CPU.</summary>
public sealed class HealthzWithRedisTests(RedisSqliteApp app) : ApiTest(app), IClassFixture<RedisSqliteApp>
{
    [Fact]
    public async Task HealthzReportsAReachableRedisAsOk()
    {
        var healthz = await (await App.Anonymous().GetAsync("/healthz", Ct)).Json();
        var checks = healthz.GetProperty("checks");
        Assert.Equal(["cpu", "database", "memory", "redis", "relay"], checks.EnumerateObject().Select(c => c.Name).Order());
        Assert.Equal(("ok", "ok", "ok"), (checks.Str("database"), checks.Str("redis"), checks.Str("relay")));
    }
}
