using System.Net;
using Community.Api.Invites;
using Community.Api.Tests.Auth;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Invites;

/// <summary>
/// Previews and accepts share a per-caller limit stricter than the global one (<c>RateLimiting:InvitePermitLimit</c>),
/// found and not-found answers alike: a caller guessing codes is slowed down, everyone else and every other endpoint are not.
/// </summary>
public abstract class InviteRateLimitTests(TestApp app) : ApiTest(app)
{
    public const int Limit = 3;

    [Fact]
    public async Task PreviewsAndAcceptsShareAStricterLimitPerCaller()
    {
        var community = await App.CommunityOwnedBy(await App.HubUser());
        var code = await App.InviteCode(community);
        long greedy = await App.HubUser(), modest = await App.HubUser();

        await App.PreviewInvite(greedy, code).Data();
        await App.PreviewInvite(greedy, InviteCodes.New()).Problem(HttpStatusCode.NotFound, "invite_not_found");
        await App.AcceptInvite(greedy, code).Data(HttpStatusCode.Created);

        var refused = await App.PreviewInvite(greedy, code);
        var problem = await refused.Problem(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.Contains($"More than {Limit} invite previews and accepts", problem.Str("detail"));
        Assert.InRange(int.Parse(Assert.Single(refused.Headers.GetValues("Retry-After"))), 1, 600);
        await App.AcceptInvite(greedy, InviteCodes.New()).Problem(HttpStatusCode.TooManyRequests, "rate_limited");

        // Other endpoints keep the global limit; other callers keep their own invite budget.
        await (await App.User(greedy).GetAsync($"/api/v1/communities/{community}", Ct)).Data();
        await App.PreviewInvite(modest, code).Data();
        await App.AcceptInvite(modest, code).Data(HttpStatusCode.Created);
    }
}

internal static class InviteRateLimited
{
    public static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?>
    {
        ["RateLimiting:Enabled"] = "true",
        ["RateLimiting:PermitLimit"] = "1000",
        ["RateLimiting:InvitePermitLimit"] = InviteRateLimitTests.Limit.ToString(),
        ["RateLimiting:InviteWindowSeconds"] = "600",
    };
}

public sealed class InviteRateLimitedSqliteApp : SqliteApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => InviteRateLimited.Settings;
}

public sealed class InviteRateLimitedPostgresApp : PostgresApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => InviteRateLimited.Settings;
}

public sealed class InviteRateLimitTestsOnSqlite(InviteRateLimitedSqliteApp app) : InviteRateLimitTests(app), IClassFixture<InviteRateLimitedSqliteApp>;

public sealed class InviteRateLimitTestsOnPostgres(InviteRateLimitedPostgresApp app) : InviteRateLimitTests(app), IClassFixture<InviteRateLimitedPostgresApp>;
