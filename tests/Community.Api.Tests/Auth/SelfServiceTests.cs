using System.Net;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Auth;

/// <summary>What a signed-in hub user does for itself: create a community, join (as its <c>join_mode</c> allows), leave.</summary>
public abstract class SelfServiceTests(TestApp app) : ApiTest(app)
{
    [Fact]
    public async Task ASignedInUserCreatesACommunityAndOwnsIt()
    {
        var userId = await App.HubUser();
        var user = App.User(userId);
        var community = await (await user.Post("/api/v1/communities", new { name = Unique("mine") })).Data(HttpStatusCode.Created);
        Assert.Equal(userId, community.Long("owner_id"));

        var me = await (await user.GetAsync($"/api/v1/communities/{community.Long("id")}/members/{userId}", Ct)).Data();
        Assert.Equal("owner", me.Str("role"));
        var mine = await (await user.GetAsync($"/api/v1/users/{userId}/communities", Ct)).Data();
        Assert.Contains(mine.EnumerateArray(), c => c.Long("community_id") == community.Long("id") && c.Str("role") == "owner");
    }

    [Fact]
    public async Task AUserCannotMakeSomeoneElseTheOwner()
    {
        var user = App.User(await App.HubUser());
        var problem = await (await user.Post("/api/v1/communities", new { name = Unique("theirs"), owner_id = await App.HubUser() }))
            .Problem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("owner_id", out _));
    }

    [Fact]
    public async Task JoiningAnOpenPublicCommunityMakesAMemberAtOnce()
    {
        var crew = await App.Crew();
        var userId = await App.HubUser();
        var user = App.User(userId);
        var member = await (await user.Post($"{crew.Url}/members", new { })).Data(HttpStatusCode.Created);
        Assert.Equal(("member", "active", userId), (member.Str("role"), member.Str("status"), member.Long("hub_user_id")));
        Assert.Equal("active", (await (await user.Post($"{crew.Url}/members", new { })).Data()).Str("status")); // again: 200
        Assert.Single(await App.Events(crew.Community, "member.joined"), e => e.DataJson.Contains($"\"hub_user_id\":{userId},"));
    }

    [Fact]
    public async Task AUserJoinsAsAMemberNeverWithARoleOfItsChoosing()
    {
        var crew = await App.Crew();
        var user = App.User(await App.HubUser());
        await (await user.Post($"{crew.Url}/members", new { role = "admin" })).Problem(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task ApprovalModeFilesARequestThatAnAdminApproves()
    {
        var crew = await App.Crew();
        await App.Settings(crew.Community, new Dictionary<string, object> { ["join_mode"] = "approval" });
        var userId = await App.HubUser();
        var user = App.User(userId);

        var response = await user.Post($"{crew.Url}/members", new { });
        var request = await response.Data(HttpStatusCode.Accepted);
        Assert.Equal(("pending", userId), (request.Str("status"), request.Long("hub_user_id")));
        Assert.Equal($"{crew.Url}/join-requests/{request.Long("id")}", response.Headers.Location!.OriginalString);
        await (await App.Service().GetAsync($"{crew.Url}/members/{userId}", Ct)).Problem(HttpStatusCode.NotFound, "member_not_found");
        // Asking again does not file a second request.
        Assert.Equal(request.Long("id"), (await (await user.Post($"{crew.Url}/members", new { })).Data(HttpStatusCode.Accepted)).Long("id"));

        var admin = App.User(crew.Admin);
        var pending = await (await admin.GetAsync($"{crew.Url}/join-requests", Ct)).Data();
        Assert.Equal([request.Long("id")], pending.EnumerateArray().Select(r => r.Long("id")));
        var member = await (await admin.Post($"{crew.Url}/join-requests/{request.Long("id")}/approve", new { })).Data();
        Assert.Equal(("member", "active"), (member.Str("role"), member.Str("status")));
        Assert.Equal("active", (await App.Member(crew.Community, userId)).Str("status"));
        Assert.Empty((await (await admin.GetAsync($"{crew.Url}/join-requests", Ct)).Data()).EnumerateArray());
        // Decided once: a second decision finds nothing pending.
        await (await admin.Post($"{crew.Url}/join-requests/{request.Long("id")}/reject", new { })).Problem(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task ApprovalModeRequestRejectedByAnAdminLeavesTheUserOutside()
    {
        var crew = await App.Crew();
        await App.Settings(crew.Community, new Dictionary<string, object> { ["join_mode"] = "approval" });
        var userId = await App.HubUser();
        var request = await (await App.User(userId).Post($"{crew.Url}/members", new { })).Data(HttpStatusCode.Accepted);

        var admin = App.User(crew.Admin);
        var rejected = await (await admin.Post($"{crew.Url}/join-requests/{request.Long("id")}/reject", new { })).Data();
        Assert.Equal(("rejected", crew.Admin.ToString()), (rejected.Str("status"), rejected.Str("decided_by")));
        await (await App.Service().GetAsync($"{crew.Url}/members/{userId}", Ct)).Problem(HttpStatusCode.NotFound, "member_not_found");
        var rejectedList = await (await admin.GetAsync($"{crew.Url}/join-requests?status=rejected", Ct)).Data();
        Assert.Contains(rejectedList.EnumerateArray(), r => r.Long("id") == request.Long("id"));
        await (await App.User(userId).GetAsync($"{crew.Url}/members", Ct)).InsufficientRole(null, "member");
    }

    [Fact]
    public async Task InviteModeRefusesSelfJoinButAnAdminCanAdd()
    {
        var crew = await App.Crew();
        await App.Settings(crew.Community, new Dictionary<string, object> { ["join_mode"] = "invite" });
        var userId = await App.HubUser();

        await (await App.User(userId).Post($"{crew.Url}/members", new { })).Problem(HttpStatusCode.Forbidden, "forbidden");
        await (await App.Service().GetAsync($"{crew.Url}/members/{userId}", Ct)).Problem(HttpStatusCode.NotFound, "member_not_found");
        await (await App.User(crew.Admin).Post($"{crew.Url}/members", new { hub_user_id = userId })).Data(HttpStatusCode.Created);
    }

    [Fact]
    public async Task AUserCannotJoinAPrivateCommunityItIsNotIn()
    {
        var crew = await App.Crew(isPublic: false);
        var userId = await App.HubUser();
        await (await App.User(userId).Post($"{crew.Url}/members", new { })).Problem(HttpStatusCode.NotFound, "community_not_found");
        await (await App.Service().GetAsync($"{crew.Url}/members/{userId}", Ct)).Problem(HttpStatusCode.NotFound, "member_not_found");
    }

    [Fact]
    public async Task AMemberLeavesByDeletingItsOwnMembership()
    {
        var crew = await App.Crew();
        var member = App.User(crew.Member);
        var before = await (await member.GetAsync($"/api/v1/users/{crew.Member}/communities", Ct)).Data();
        Assert.Contains(before.EnumerateArray(), c => c.Long("community_id") == crew.Community);
        var left = await (await member.DeleteAsync($"{crew.Url}/members/{crew.Member}", Ct)).Data();
        Assert.Equal("left", left.Str("status"));
        Assert.Single(await App.Events(crew.Community, "member.left"));
        var mine = await (await member.GetAsync($"/api/v1/users/{crew.Member}/communities", Ct)).Data();
        Assert.DoesNotContain(mine.EnumerateArray(), c => c.Long("community_id") == crew.Community);

        // Leaving is the member's own act, whatever its rank: an admin leaves too; the owner cannot.
        Assert.Equal("left", (await (await App.User(crew.Admin).DeleteAsync($"{crew.Url}/members/{crew.Admin}", Ct)).Data()).Str("status"));
        await (await App.User(crew.Owner).DeleteAsync($"{crew.Url}/members/{crew.Owner}", Ct)).Problem(HttpStatusCode.Conflict, "owner_cannot_leave");
    }
}

public sealed class SelfServiceTestsOnSqlite(SqliteApp app) : SelfServiceTests(app), IClassFixture<SqliteApp>;

public sealed class SelfServiceTestsOnPostgres(PostgresApp app) : SelfServiceTests(app), IClassFixture<PostgresApp>;
