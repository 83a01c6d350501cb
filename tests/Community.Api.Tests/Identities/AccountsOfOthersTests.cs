using System.Net;
using Community.Api.Tests.Auth;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Tests.Identities;

/// <summary>
/// Only callers who may write identities (services with <c>identities:write</c>, super admins) create hub users or
/// change what a platform account says; a user adding someone by platform account finds an existing one and changes
/// nothing about it, so no user can rename another or mint hub users for arbitrary platform ids.
/// </summary>
public abstract class AccountsOfOthersTests(TestApp app) : ApiTest(app)
{
    [Fact]
    public async Task AnOwnerAddingAMemberByAccountCannotRenameThatUser()
    {
        var account = Unique("victim");
        var victim = (await App.Service().Post("/api/v1/identities/resolve",
            new { platform = "twitch", platform_user_id = account, platform_username = "victim" }).Data()).Long("hub_user_id");
        var owner = await App.HubUser();
        var community = await App.CommunityOwnedBy(owner);

        var added = await App.User(owner).Post($"/api/v1/communities/{community}/members",
            new { platform = "twitch", platform_user_id = account, platform_username = "pwned" }).Data(HttpStatusCode.Created);

        Assert.Equal(victim, added.Long("hub_user_id"));
        var user = await App.Service().GetAsync($"/api/v1/users/{victim}", Ct).Data();
        Assert.Equal("victim", user.Str("username"));
        Assert.Equal("victim", user.GetProperty("identities")[0].Str("platform_username"));
        Assert.DoesNotContain("pwned", (await App.EventData(community, "member.joined")).Select(e => e.ToString()).Single());
    }

    [Fact]
    public async Task AUserAddingAnUnknownAccountCreatesNobody()
    {
        var owner = await App.HubUser();
        var community = await App.CommunityOwnedBy(owner);
        var account = Unique("nobody");

        await App.User(owner).Post($"/api/v1/communities/{community}/members", new { platform = "twitch", platform_user_id = account })
            .Problem(HttpStatusCode.NotFound, "identity_not_found");

        Assert.False(await App.Db(db => db.UserIdentities.AnyAsync(i => i.PlatformUserId == account, Ct)));
        Assert.Equal(1, await App.Db(db => db.Members.CountAsync(m => m.CommunityId == community, Ct))); // the owner only
    }

    [Fact]
    public async Task AServiceWithoutIdentitiesWriteOnlyFindsAccounts()
    {
        var community = await App.CommunityOwnedBy(await App.HubUser());
        var known = Unique("known");
        await App.Service().Post("/api/v1/identities/resolve", new { platform = "twitch", platform_user_id = known, platform_username = "known" }).Data();
        var members = App.Service(TestKeys.MembersOnly);

        await members.Post($"/api/v1/communities/{community}/members", new { platform = "twitch", platform_user_id = Unique("new") })
            .Problem(HttpStatusCode.NotFound, "identity_not_found");
        await members.Post($"/api/v1/communities/{community}/members", new { platform = "twitch", platform_user_id = known, platform_username = "renamed" })
            .Data(HttpStatusCode.Created);
        Assert.Equal("known", (await App.Service().GetAsync($"/api/v1/identities/twitch/{known}", Ct).Data()).Str("username"));
    }

    [Fact]
    public async Task AUserCreatingACommunityCannotNameAnAccountAsOwnerToMintAUser()
    {
        var user = await App.HubUser();
        var account = Unique("minted");

        await App.User(user).Post("/api/v1/communities", new { name = Unique("c"), owner = new { platform = "twitch", platform_user_id = account } })
            .Problem(HttpStatusCode.BadRequest, "validation_failed");

        Assert.False(await App.Db(db => db.UserIdentities.AnyAsync(i => i.PlatformUserId == account, Ct)));
    }
}

public sealed class AccountsOfOthersTestsOnSqlite(SqliteApp app) : AccountsOfOthersTests(app), IClassFixture<SqliteApp>;

public sealed class AccountsOfOthersTestsOnPostgres(PostgresApp app) : AccountsOfOthersTests(app), IClassFixture<PostgresApp>;
