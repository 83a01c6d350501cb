using System.Net;
using Community.Api.Invites;
using Community.Api.Tests.Infrastructure;
using Community.Api.Tests.Invites;

namespace Community.Api.Tests.Auth;

/// <summary>Two instances, one Redis: a caller's limit holds for both together, not once per instance.</summary>
public abstract class SharedRateLimitTests(TestApp app) : ApiTest(app)
{
    [Fact]
    public async Task TheLimitHoldsAcrossBothInstancesTogether()
    {
        await using var other = await SecondInstance.StartAsync(App);
        var user = NewUser();
        for (var i = 0; i < RateLimitTests.Limit; i++)
            await (await (i % 2 == 0 ? App : other).User(user).Get("/api/v1/communities")).Data();

        await (await App.User(user).Get("/api/v1/communities")).Problem(HttpStatusCode.TooManyRequests, "rate_limited");
        var refused = await other.User(user).Get("/api/v1/communities");
        await refused.Problem(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.InRange(int.Parse(Assert.Single(refused.Headers.GetValues("Retry-After"))), 1, RateLimitTests.WindowSeconds);
        await (await other.User(NewUser()).Get("/api/v1/communities")).Data(); // another caller is unaffected
    }

    internal static long NewUser() => Random.Shared.NextInt64(1_000_000, long.MaxValue / 2);
}

/// <summary>
/// With Redis cut, each instance limits on its own: a caller is neither refused outright nor let through without limit.
/// A class of its own (so an app of its own): after the cut an instance counts locally for a while, which would let a
/// shared-limit test that follows on the same app through.
/// </summary>
public abstract class RateLimitWithoutRedisTests(TestApp app) : ApiTest(app)
{
    private TcpProxy Redis => ((IRedisBehindProxy)App).RedisProxy;

    [Fact]
    public async Task WithRedisCutEachInstanceLimitsOnItsOwn()
    {
        await using var other = await SecondInstance.StartAsync(App);
        var user = SharedRateLimitTests.NewUser();
        Redis.Cut();
        try
        {
            foreach (var instance in new[] { App, other })
            {
                for (var i = 0; i < RateLimitTests.Limit; i++) await (await instance.User(user).Get("/api/v1/communities")).Data();
                await (await instance.User(user).Get("/api/v1/communities")).Problem(HttpStatusCode.TooManyRequests, "rate_limited");
            }
        }
        finally
        {
            Redis.Restore();
        }
    }
}

/// <summary>The stricter invite limit (against guessing codes) is shared the same way: N instances do not allow N × the guesses.</summary>
public abstract class SharedInviteRateLimitTests(TestApp app) : ApiTest(app)
{
    [Fact]
    public async Task TheInviteLimitHoldsAcrossBothInstancesTogether()
    {
        await using var other = await SecondInstance.StartAsync(App);
        var code = await App.InviteCode(await App.CommunityOwnedBy(await App.HubUser()));
        var guesser = await App.HubUser();
        for (var i = 0; i < InviteRateLimitTests.Limit; i++)
            await (i % 2 == 0 ? App : other).PreviewInvite(guesser, InviteCodes.New()).Problem(HttpStatusCode.NotFound, "invite_not_found");

        await App.PreviewInvite(guesser, code).Problem(HttpStatusCode.TooManyRequests, "rate_limited");
        await other.PreviewInvite(guesser, code).Problem(HttpStatusCode.TooManyRequests, "rate_limited");
        await other.PreviewInvite(await App.HubUser(), code).Data();
    }
}

public sealed class RateLimitedRedisSqliteApp : RedisProxiedSqliteApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => base.Settings.Concat(RateLimited.Settings).ToDictionary();
}

public sealed class RateLimitedRedisPostgresApp : RedisProxiedPostgresApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => base.Settings.Concat(RateLimited.Settings).ToDictionary();
}

public sealed class SharedRateLimitTestsOnSqlite(RateLimitedRedisSqliteApp app) : SharedRateLimitTests(app), IClassFixture<RateLimitedRedisSqliteApp>;

public sealed class SharedRateLimitTestsOnPostgres(RateLimitedRedisPostgresApp app) : SharedRateLimitTests(app), IClassFixture<RateLimitedRedisPostgresApp>;

public sealed class RateLimitWithoutRedisTestsOnSqlite(RateLimitedRedisSqliteApp app) : RateLimitWithoutRedisTests(app), IClassFixture<RateLimitedRedisSqliteApp>;

public sealed class RateLimitWithoutRedisTestsOnPostgres(RateLimitedRedisPostgresApp app) : RateLimitWithoutRedisTests(app), IClassFixture<RateLimitedRedisPostgresApp>;

public sealed class InviteRateLimitedRedisSqliteApp : RedisProxiedSqliteApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => base.Settings.Concat(InviteRateLimited.Settings).ToDictionary();
}

public sealed class InviteRateLimitedRedisPostgresApp : RedisProxiedPostgresApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => base.Settings.Concat(InviteRateLimited.Settings).ToDictionary();
}

public sealed class SharedInviteRateLimitTestsOnSqlite(InviteRateLimitedRedisSqliteApp app) : SharedInviteRateLimitTests(app), IClassFixture<InviteRateLimitedRedisSqliteApp>;

public sealed class SharedInviteRateLimitTestsOnPostgres(InviteRateLimitedRedisPostgresApp app) : SharedInviteRateLimitTests(app), IClassFixture<InviteRateLimitedRedisPostgresApp>;
