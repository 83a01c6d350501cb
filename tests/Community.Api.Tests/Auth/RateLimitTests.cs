using System.Net;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Auth;

/// <summary>
/// Per-caller rate limits: each service key, each hub user and each anonymous client address has its own window;
/// the one over its limit gets 429 <c>rate_limited</c> with <c>Retry-After</c>, the others carry on, and the open
/// operational endpoints are never limited. Callers here are hub users and keys no other test class uses.
/// </summary>
public abstract class RateLimitTests(TestApp app) : ApiTest(app)
{
    public const int Limit = 5;
    public const int WindowSeconds = 600;

    [Fact]
    public async Task AUserOverTheLimitGets429WithRetryAfterWhileAnotherUserIsUnaffected()
    {
        var (greedy, modest) = (App.User(910_001), App.User(910_002));
        for (var i = 0; i < Limit; i++) await (await greedy.GetAsync("/api/v1/communities", Ct)).Data();

        var refused = await greedy.GetAsync("/api/v1/communities", Ct);
        await refused.Problem(HttpStatusCode.TooManyRequests, "rate_limited");
        var retryAfter = int.Parse(Assert.Single(refused.Headers.GetValues("Retry-After")));
        Assert.InRange(retryAfter, 1, WindowSeconds);

        await (await modest.GetAsync("/api/v1/communities", Ct)).Data();
        // A second token of the greedy user is the same caller: still limited.
        await (await App.User(910_001).GetAsync("/api/v1/communities", Ct)).Problem(HttpStatusCode.TooManyRequests, "rate_limited");
    }

    [Fact]
    public async Task AServiceKeyOverTheLimitGets429WhileAnotherKeyIsUnaffected()
    {
        var greedy = App.Service(TestKeys.ReadOnly);
        for (var i = 0; i < Limit; i++) await (await greedy.GetAsync("/api/v1/communities", Ct)).Data();
        await (await greedy.GetAsync("/api/v1/communities", Ct)).Problem(HttpStatusCode.TooManyRequests, "rate_limited");
        // The same key in the other header is the same caller.
        var other = App.Anonymous();
        other.DefaultRequestHeaders.Add("X-Service-Key", TestKeys.ReadOnly);
        await (await other.GetAsync("/api/v1/communities", Ct)).Problem(HttpStatusCode.TooManyRequests, "rate_limited");

        await (await App.Service(TestKeys.Admin).GetAsync("/api/v1/communities", Ct)).Data();
    }

    [Fact]
    public async Task HealthIsNeverLimitedEvenForACallerOverItsLimit()
    {
        var greedy = App.User(910_003);
        for (var i = 0; i < Limit; i++) await (await greedy.GetAsync("/api/v1/communities", Ct)).Data();
        await (await greedy.GetAsync("/api/v1/communities", Ct)).Problem(HttpStatusCode.TooManyRequests, "rate_limited");

        for (var i = 0; i < 4 * Limit; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await greedy.GetAsync("/health", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await App.Anonymous().GetAsync("/health", Ct)).StatusCode);
        }
    }
}

public sealed class RateLimitedSqliteApp : SqliteApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => RateLimited.Settings;
}

public sealed class RateLimitedPostgresApp : PostgresApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => RateLimited.Settings;
}

internal static class RateLimited
{
    public static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?>
    {
        ["RateLimiting:Enabled"] = "true",
        ["RateLimiting:PermitLimit"] = RateLimitTests.Limit.ToString(),
        ["RateLimiting:WindowSeconds"] = RateLimitTests.WindowSeconds.ToString(),
    };
}

public sealed class RateLimitTestsOnSqlite(RateLimitedSqliteApp app) : RateLimitTests(app), IClassFixture<RateLimitedSqliteApp>;

public sealed class RateLimitTestsOnPostgres(RateLimitedPostgresApp app) : RateLimitTests(app), IClassFixture<RateLimitedPostgresApp>;
