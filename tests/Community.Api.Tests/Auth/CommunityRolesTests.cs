using System.Net;
using Community.Api.Members;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Auth;

/// <summary>CONTRACT §3 for hub users on communities, platforms and settings: the least role of each action.</summary>
public abstract class CommunityRolesTests(TestApp app) : ApiTest(app)
{
    private const string C = "/api/v1/communities";

    /// <summary>A community with one user of each role; returns its id and the hub user id of each role.</summary>
    private async Task<(long Id, long Owner, long Admin, long Moderator, long Member)> Staffed(bool isPublic = true)
    {
        var community = await App.Community(extra: new { is_public = isPublic });
        var id = community.Long("id");
        return (id, community.Long("owner_id"), await App.InsertMember(id, Roles.Admin), await App.InsertMember(id, Roles.Moderator), await App.InsertMember(id, Roles.Member));
    }

    private async Task<long> Outsider() => (await App.Community()).Long("owner_id");

    [Fact]
    public async Task AUserCreatingACommunityBecomesItsOwner()
    {
        var user = await Outsider();
        var created = await (await App.User(user).Post(C, new { name = Unique() })).Data(HttpStatusCode.Created);
        Assert.Equal(user, created.Long("owner_id"));
        await (await App.User(user).Patch($"{C}/{created.Long("id")}", new { description = "mine" })).Data();
    }

    [Fact]
    public async Task AUserCannotNameAnotherOwnerOrChooseThePremiumTier()
    {
        var user = await Outsider();
        var other = await Outsider();
        var named = await App.User(user).Post(C, new { name = Unique(), owner_id = other });
        Assert.Equal(["owner_id"], (await named.Problem(HttpStatusCode.BadRequest, "validation_failed")).ErrorFields());
        await (await App.User(user).Post(C, new { name = Unique(), tier = "premium" })).Problem(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal("premium", (await (await App.User(user, superAdmin: true).Post(C, new { name = Unique(), tier = "premium" }))
            .Data(HttpStatusCode.Created)).Str("tier"));
    }

    [Fact]
    public async Task AUserWithoutAHubAccountCannotCreate() =>
        await (await App.User(987_654_321).Post(C, new { name = Unique() })).Problem(HttpStatusCode.NotFound, "user_not_found");

    [Fact]
    public async Task APrivateCommunityIsInvisibleToNonMembers()
    {
        var name = Unique("Secret");
        var community = await App.Community(name, new { is_public = false });
        var id = community.Long("id");
        var outsider = App.User(await Outsider());
        foreach (var path in new[] { $"{C}/{id}", $"{C}/{id}/stats", $"{C}/{id}/platforms", $"{C}/{id}/settings" })
            await (await outsider.GetAsync(path, Ct)).Problem(HttpStatusCode.NotFound, "community_not_found");
        Assert.Empty((await (await outsider.GetAsync($"{C}?q={name}", Ct)).Data()).EnumerateArray());

        var member = App.User(await App.InsertMember(id));
        await (await member.GetAsync($"{C}/{id}", Ct)).Data();
        Assert.Single((await (await member.GetAsync($"{C}?q={name}", Ct)).Data()).EnumerateArray());
    }

    [Fact]
    public async Task MembersAndModeratorsCannotChangeTheCommunity()
    {
        var (id, _, _, moderator, member) = await Staffed();
        foreach (var user in new[] { member, moderator, await Outsider() })
        {
            var client = App.User(user);
            await (await client.GetAsync($"{C}/{id}", Ct)).Data();
            await (await client.Patch($"{C}/{id}", new { description = "x" })).Problem(HttpStatusCode.Forbidden, "insufficient_role");
            await (await client.Patch($"{C}/{id}/settings", new { locale = "de" })).Problem(HttpStatusCode.Forbidden, "insufficient_role");
            await (await client.Post($"{C}/{id}/platforms", new { platform = "twitch", platform_community_id = Unique() }))
                .Problem(HttpStatusCode.Forbidden, "insufficient_role");
        }
    }

    [Fact]
    public async Task AnAdminUpdatesButOnlyTheOwnerDeactivatesOrTransfers()
    {
        var (id, owner, admin, moderator, _) = await Staffed();
        var asAdmin = App.User(admin);
        await (await asAdmin.Patch($"{C}/{id}", new { description = "by admin" })).Data();
        await (await asAdmin.Patch($"{C}/{id}/settings", new { locale = "de" })).Data();
        await (await asAdmin.Post($"{C}/{id}/platforms", new { platform = "twitch", platform_community_id = Unique() })).Data(HttpStatusCode.Created);
        await (await asAdmin.Patch($"{C}/{id}", new { tier = "premium" })).Problem(HttpStatusCode.Forbidden, "forbidden");
        await (await asAdmin.DeleteAsync($"{C}/{id}", Ct)).Problem(HttpStatusCode.Forbidden, "insufficient_role");
        await (await asAdmin.Post($"{C}/{id}/transfer-ownership", new { new_owner_id = admin })).Problem(HttpStatusCode.Forbidden, "insufficient_role");

        var asOwner = App.User(owner);
        await (await asOwner.Post($"{C}/{id}/transfer-ownership", new { new_owner_id = moderator })).Data();
        await (await asOwner.DeleteAsync($"{C}/{id}", Ct)).Problem(HttpStatusCode.Forbidden, "insufficient_role"); // an admin now
        Assert.False((await (await App.User(moderator).DeleteAsync($"{C}/{id}", Ct)).Data()).Bool("is_active"));
        Assert.True((await (await App.User(moderator).PostAsync($"{C}/{id}/restore", null, Ct)).Data()).Bool("is_active"));
    }

    [Fact]
    public async Task ASuperAdminMayDoEverything()
    {
        var (id, _, _, _, _) = await Staffed(isPublic: false);
        var root = App.User(await Outsider(), superAdmin: true);
        await (await root.GetAsync($"{C}/{id}", Ct)).Data();
        Assert.Equal("premium", (await (await root.Patch($"{C}/{id}", new { tier = "premium" })).Data()).Str("tier"));
        Assert.False((await (await root.DeleteAsync($"{C}/{id}", Ct)).Data()).Bool("is_active"));
    }

    [Fact]
    public async Task AMemberWhoLeftSeesAPrivateCommunityNoMore()
    {
        var community = await App.Community(extra: new { is_public = false });
        var id = community.Long("id");
        var left = await App.InsertMember(id, Roles.Admin, status: MemberStatus.Left);
        await (await App.User(left).GetAsync($"{C}/{id}", Ct)).Problem(HttpStatusCode.NotFound, "community_not_found");
    }
}

public sealed class CommunityRolesTestsOnSqlite(SqliteApp app) : CommunityRolesTests(app), IClassFixture<SqliteApp>;

public sealed class CommunityRolesTestsOnPostgres(PostgresApp app) : CommunityRolesTests(app), IClassFixture<PostgresApp>;
