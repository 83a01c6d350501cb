using System.Net;
using Community.Api.Members;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Tests.Auth;

/// <summary>
/// The hierarchy of CONTRACT §3: an actor changes, removes, bans or unbans only members ranked strictly below itself,
/// grants only roles strictly below its own, and the owner moves only by transfer. Roles count only where they are held.
/// </summary>
public abstract class HierarchyTests(TestApp app) : ApiTest(app)
{
    [Fact]
    public async Task ModeratorCannotRemoveAnAdmin()
    {
        var crew = await App.Crew();
        var response = await App.User(crew.Moderator).DeleteAsync($"{crew.Url}/members/{crew.Admin}", Ct);
        await response.InsufficientRole("moderator", "owner");
        Assert.Equal("active", (await App.Member(crew.Community, crew.Admin)).Str("status"));
    }

    [Fact]
    public async Task ModeratorCannotBanAnAdmin()
    {
        var crew = await App.Crew();
        var response = await App.User(crew.Moderator).Post($"{crew.Url}/members/{crew.Admin}/ban", new { reason = "coup" });
        await response.InsufficientRole("moderator", "owner");
        var admin = await App.Member(crew.Community, crew.Admin);
        Assert.Equal("active", admin.Str("status"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, admin.GetProperty("ban").ValueKind);
    }

    [Fact]
    public async Task ModeratorCannotRemoveOrBanAnotherModerator()
    {
        var crew = await App.Crew();
        var other = await App.NewMember(crew.Community, "moderator");
        var moderator = App.User(crew.Moderator);
        await (await moderator.DeleteAsync($"{crew.Url}/members/{other}", Ct)).InsufficientRole("moderator", "admin");
        await (await moderator.Post($"{crew.Url}/members/{other}/ban", new { reason = "rival" })).InsufficientRole("moderator", "admin");
        Assert.Equal("active", (await App.Member(crew.Community, other)).Str("status"));
    }

    [Fact]
    public async Task ModeratorCanKickAMember()
    {
        var crew = await App.Crew();
        var member = await (await App.User(crew.Moderator).DeleteAsync($"{crew.Url}/members/{crew.Member}?reason=spam", Ct)).Data();
        Assert.Equal("removed", member.Str("status"));
        Assert.Single(await App.Events(crew.Community, "member.removed"));
    }

    [Fact]
    public async Task ModeratorCanBanAndUnbanAMember()
    {
        var crew = await App.Crew();
        var moderator = App.User(crew.Moderator);
        Assert.Equal("banned", (await (await moderator.Post($"{crew.Url}/members/{crew.Member}/ban", new { reason = "spam" })).Data()).Str("status"));
        Assert.Equal("removed", (await (await moderator.DeleteAsync($"{crew.Url}/members/{crew.Member}/ban", Ct)).Data()).Str("status"));
    }

    [Fact]
    public async Task AdminCannotDemoteTheOwner()
    {
        var crew = await App.Crew();
        var response = await App.User(crew.Admin).Put($"{crew.Url}/members/{crew.Owner}/role", new { role = "member" });
        await response.InsufficientRole("admin", "owner");
        Assert.Equal("owner", (await App.Member(crew.Community, crew.Owner)).Str("role"));
    }

    [Fact]
    public async Task OutrankedActorsCannotRemoveOrBanTheOwner()
    {
        var crew = await App.Crew();
        await (await App.User(crew.Moderator).DeleteAsync($"{crew.Url}/members/{crew.Owner}", Ct)).InsufficientRole("moderator", "owner");
        await (await App.User(crew.Admin).Post($"{crew.Url}/members/{crew.Owner}/ban", new { reason = "coup" })).InsufficientRole("admin", "owner");
        var owner = await App.Member(crew.Community, crew.Owner);
        Assert.Equal(("owner", "active"), (owner.Str("role"), owner.Str("status")));
    }

    [Fact]
    public async Task TheOwnerMovesOnlyByTransferEvenForServicesAndTheOwnerItself()
    {
        var crew = await App.Crew();
        var service = App.Service();
        await (await service.Put($"{crew.Url}/members/{crew.Owner}/role", new { role = "admin" })).Problem(HttpStatusCode.Conflict, "conflict");
        await (await service.DeleteAsync($"{crew.Url}/members/{crew.Owner}", Ct)).Problem(HttpStatusCode.Conflict, "owner_cannot_leave");
        await (await service.Post($"{crew.Url}/members/{crew.Owner}/ban", new { reason = "x" })).Problem(HttpStatusCode.Conflict, "conflict");
        await (await App.User(crew.Owner).DeleteAsync($"{crew.Url}/members/{crew.Owner}", Ct)).Problem(HttpStatusCode.Conflict, "owner_cannot_leave");
        await (await App.User(crew.Owner).Put($"{crew.Url}/members/{crew.Admin}/role", new { role = "owner" }))
            .Problem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal("owner", (await App.Member(crew.Community, crew.Owner)).Str("role"));
        Assert.Equal(1, await Owners(crew.Community));
    }

    [Fact]
    public async Task OwnerCanDemoteAnAdmin()
    {
        var crew = await App.Crew();
        var member = await (await App.User(crew.Owner).Put($"{crew.Url}/members/{crew.Admin}/role", new { role = "moderator" })).Data();
        Assert.Equal("moderator", member.Str("role"));
        Assert.Equal("moderator", (await App.Member(crew.Community, crew.Admin)).Str("role"));
    }

    [Fact]
    public async Task AdminCannotDemoteAnotherAdmin()
    {
        var crew = await App.Crew();
        var other = await App.NewMember(crew.Community, "admin");
        await (await App.User(crew.Admin).Put($"{crew.Url}/members/{other}/role", new { role = "member" })).InsufficientRole("admin", "owner");
        Assert.Equal("admin", (await App.Member(crew.Community, other)).Str("role"));
    }

    [Fact]
    public async Task AdminGrantsOnlyRolesBelowItsOwn()
    {
        var crew = await App.Crew();
        var admin = App.User(crew.Admin);
        await (await admin.Put($"{crew.Url}/members/{crew.Member}/role", new { role = "admin" })).InsufficientRole("admin", "owner");
        Assert.Equal("member", (await App.Member(crew.Community, crew.Member)).Str("role"));
        await (await admin.Post($"{crew.Url}/members", new { hub_user_id = await App.HubUser(), role = "admin" })).InsufficientRole("admin", "owner");

        Assert.Equal("moderator", (await (await admin.Put($"{crew.Url}/members/{crew.Member}/role", new { role = "moderator" })).Data()).Str("role"));
        Assert.Equal("moderator", (await (await admin.Post($"{crew.Url}/members", new { hub_user_id = await App.HubUser(), role = "moderator" }))
            .Data(HttpStatusCode.Created)).Str("role"));
    }

    [Fact]
    public async Task OwnerCanGrantAdmin()
    {
        var crew = await App.Crew();
        var member = await (await App.User(crew.Owner).Put($"{crew.Url}/members/{crew.Member}/role", new { role = "admin" })).Data();
        Assert.Equal("admin", member.Str("role"));
    }

    [Fact]
    public async Task TransferOwnershipKeepsExactlyOneOwnerAndTheOldOwnerBecomesAdmin()
    {
        var crew = await App.Crew();
        var community = await (await App.User(crew.Owner).Post($"{crew.Url}/transfer-ownership", new { new_owner_id = crew.Moderator })).Data();
        Assert.Equal(crew.Moderator, community.Long("owner_id"));

        var roles = await App.Db(db => db.Members.Where(m => m.CommunityId == crew.Community && m.Status == MemberStatus.Active)
            .ToDictionaryAsync(m => m.HubUserId, m => m.Role, Ct));
        Assert.Equal([crew.Moderator], roles.Where(r => r.Value == "owner").Select(r => r.Key));
        Assert.Equal("admin", roles[crew.Owner]);
        Assert.Equal(crew.Moderator, await App.Db(db => db.Communities.Where(c => c.Id == crew.Community).Select(c => c.OwnerId).SingleAsync(Ct)));

        // The former owner is an admin now, and admins do not transfer.
        await (await App.User(crew.Owner).Post($"{crew.Url}/transfer-ownership", new { new_owner_id = crew.Owner }))
            .InsufficientRole("admin", "owner");
    }

    [Fact]
    public async Task OnlyTheOwnerOrAServiceOrASuperAdminMayTransfer()
    {
        var crew = await App.Crew();
        await (await App.User(crew.Admin).Post($"{crew.Url}/transfer-ownership", new { new_owner_id = crew.Admin })).InsufficientRole("admin", "owner");
        await (await App.User(crew.Moderator).Post($"{crew.Url}/transfer-ownership", new { new_owner_id = crew.Moderator }))
            .InsufficientRole("moderator", "owner");
        Assert.Equal(crew.Owner, await OwnerOf(crew.Community));

        await (await App.Service().Post($"{crew.Url}/transfer-ownership", new { new_owner_id = crew.Admin })).Data();
        Assert.Equal(crew.Admin, await OwnerOf(crew.Community));
        await (await App.User(await App.HubUser(), superAdmin: true).Post($"{crew.Url}/transfer-ownership", new { new_owner_id = crew.Member })).Data();
        Assert.Equal(crew.Member, await OwnerOf(crew.Community));
        Assert.Equal(1, await Owners(crew.Community));
        Assert.Equal("admin", (await App.Member(crew.Community, crew.Admin)).Str("role"));
    }

    [Fact]
    public async Task ARoleInOneCommunityGivesNothingInAnother()
    {
        var home = await App.Crew();
        var away = await App.Crew(isPublic: true);
        var awayUrl = away.Url;

        var admin = App.User(home.Admin);
        await (await admin.Patch(awayUrl, new { description = "mine now" })).InsufficientRole(null, "admin");
        await (await admin.GetAsync($"{awayUrl}/members", Ct)).InsufficientRole(null, "member");
        await (await admin.Post($"{awayUrl}/members/{away.Member}/ban", new { reason = "x" })).InsufficientRole(null, "moderator");
        await (await admin.GetAsync($"{awayUrl}/audit-log", Ct)).InsufficientRole(null, "admin");
        await (await App.User(home.Owner).DeleteAsync(awayUrl, Ct)).InsufficientRole(null, "owner");
        await (await App.User(home.Moderator).DeleteAsync($"{awayUrl}/members/{away.Member}", Ct)).InsufficientRole(null, "moderator");

        // Membership elsewhere does not count either: the away member is no moderator at home.
        await (await App.User(away.Member).DeleteAsync($"{home.Url}/members/{home.Member}", Ct)).InsufficientRole(null, "moderator");
        Assert.Equal("active", (await App.Member(away.Community, away.Member)).Str("status"));
        Assert.Equal("active", (await App.Member(home.Community, home.Member)).Str("status"));
    }

    [Fact]
    public async Task APrivateCommunityAndItsMembersAre404ToNonMembers()
    {
        var crew = await App.Crew(isPublic: false);
        var outsider = App.User(await App.HubUser());
        var missing = await (await outsider.GetAsync("/api/v1/communities/999999999", Ct)).Problem(HttpStatusCode.NotFound, "community_not_found");

        foreach (var path in new[] { "", "/members", $"/members/{crew.Member}", "/stats", "/settings", "/platforms", "/audit-log" })
        {
            var problem = await (await outsider.GetAsync(crew.Url + path, Ct)).Problem(HttpStatusCode.NotFound, "community_not_found");
            // Indistinguishable from a community that does not exist.
            Assert.Equal(missing.Str("detail").Replace("999999999", crew.Community.ToString()), problem.Str("detail"));
        }
        await (await outsider.Post($"{crew.Url}/members", new { })).Problem(HttpStatusCode.NotFound, "community_not_found");
        await (await outsider.Post($"{crew.Url}/members/{crew.Member}/ban", new { reason = "x" })).Problem(HttpStatusCode.NotFound, "community_not_found");
        var listed = await (await outsider.GetAsync("/api/v1/communities?limit=200", Ct)).Data();
        Assert.DoesNotContain(listed.EnumerateArray(), c => c.Long("id") == crew.Community);

        // Members see it, and listed.
        await (await App.User(crew.Member).GetAsync($"{crew.Url}/members", Ct)).Data();
        var mine = await (await App.User(crew.Member).GetAsync("/api/v1/communities?limit=200", Ct)).Data();
        Assert.Contains(mine.EnumerateArray(), c => c.Long("id") == crew.Community);
    }

    [Fact]
    public async Task AFormerMemberOfAPrivateCommunityGets404Too()
    {
        var crew = await App.Crew(isPublic: false);
        await (await App.User(crew.Member).DeleteAsync($"{crew.Url}/members/{crew.Member}", Ct)).Data();
        await (await App.User(crew.Member).GetAsync(crew.Url, Ct)).Problem(HttpStatusCode.NotFound, "community_not_found");

        var banned = await App.NewMember(crew.Community);
        await App.BanByService(crew.Community, banned);
        await (await App.User(banned).GetAsync($"{crew.Url}/members", Ct)).Problem(HttpStatusCode.NotFound, "community_not_found");
    }

    private Task<int> Owners(long communityId) =>
        App.Db(db => db.Members.CountAsync(m => m.CommunityId == communityId && m.Role == "owner", Ct));

    private Task<long> OwnerOf(long communityId) =>
        App.Db(db => db.Members.Where(m => m.CommunityId == communityId && m.Role == "owner").Select(m => m.HubUserId).SingleAsync(Ct));
}

public sealed class HierarchyTestsOnSqlite(SqliteApp app) : HierarchyTests(app), IClassFixture<SqliteApp>;

public sealed class HierarchyTestsOnPostgres(PostgresApp app) : HierarchyTests(app), IClassFixture<PostgresApp>;
