using System.Net;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Http;

/// <summary>RateLimiting:PermitLimit requests per caller per window, then 429 rate_limited with Retry-After.</summary>
public abstract class RateLimitTests(TestApp app) : ApiTest(app)
{
    /// <summary>Three requests an hour: a window boundary cannot fall inside a test.</summary>
    internal static readonly Dictionary<string, string?> Limits = new()
    {
        ["RateLimiting:Enabled"] = "true", ["RateLimiting:PermitLimit"] = "3", ["RateLimiting:WindowSeconds"] = "3600",
    };

    /// <summary>A hub user no other test uses, so its window is fresh.</summary>
    private HttpClient FreshCaller() => App.User(Random.Shared.NextInt64(1_000_000, long.MaxValue / 2));

    [Fact]
    public async Task TheRequestAfterTheLimitIs429WithRetryAfter()
    {
        var caller = FreshCaller();
        for (var i = 0; i < 3; i++) await (await caller.GetAsync("/api/v1/communities", Ct)).Data();
        var refused = await caller.GetAsync("/api/v1/communities", Ct);
        await refused.Problem(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 3600);
    }

    [Fact]
    public async Task EachCallerHasItsOwnWindowAndOpenEndpointsAreExempt()
    {
        var busy = FreshCaller();
        for (var i = 0; i < 4; i++) await busy.GetAsync("/api/v1/communities", Ct);
        await (await FreshCaller().GetAsync("/api/v1/communities", Ct)).Data();
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.OK, (await busy.GetAsync("/health", Ct)).StatusCode);
    }
}

public sealed class RateLimitedSqliteApp : SqliteApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => RateLimitTests.Limits;
}

public sealed class RateLimitedPostgresApp : PostgresApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => RateLimitTests.Limits;
}

public sealed class RateLimitTestsOnSqlite(RateLimitedSqliteApp app) : RateLimitTests(app), IClassFixture<RateLimitedSqliteApp>;

public sealed class RateLimitTestsOnPostgres(RateLimitedPostgresApp app) : RateLimitTests(app), IClassFixture<RateLimitedPostgresApp>;
