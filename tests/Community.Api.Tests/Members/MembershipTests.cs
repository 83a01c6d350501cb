using System.Net;
using System.Text.Json;
using Community.Api.Tests.Infrastructure;
using Community.Api.Auth;
using Community.Api.Data;
using Community.Api.Identities;
using Community.Api.Members;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Api.Tests.Members;

/// <summary>The member join flow of platform connectors, the members API, and bans, as their clients see them.</summary>
public abstract class MembershipTests(TestApp app) : ApiTest(app)
{
    // ---- The connector join flow

    [Fact]
    public async Task FirstJoinCreatesTheUserAndAFairMemberAndAnnouncesAWelcome()
    {
        var community = await App.Community(extra: new { display_name = "The Duck Pond" });
        var id = community.Long("id");
        var channel = Unique("chan");
        await App.Connect(id, "twitch", channel);

        var data = await (await App.Service().Post("/api/v1/members/join", new
        {
            platform = "twitch", platform_community_id = channel, platform_user_id = Unique("acct"), platform_username = "Duckling",
        })).Data();

        Assert.True(data.Bool("created"));
        Assert.True(data.Bool("user_created"));
        Assert.Equal(id, data.Long("community_id"));
        var hubUserId = data.Long("hub_user_id");
        var member = data.GetProperty("member");
        Assert.Equal(hubUserId, member.Long("hub_user_id"));
        Assert.Equal("member", member.Str("role"));
        Assert.Equal(600, member.Int("reputation"));
        Assert.Equal("Fair", member.Str("reputation_tier"));
        Assert.Equal("active", member.Str("status"));
        Assert.Equal(JsonValueKind.Null, member.GetProperty("ban").ValueKind);
        var joined = Assert.Single(await App.EventData(id, "member.joined"));
        Assert.Equal("Welcome to The Duck Pond, Duckling!", joined.Str("welcome_message"));
        Assert.Equal("twitch", joined.Str("platform"));
        Assert.Equal(hubUserId, joined.GetProperty("member").Long("hub_user_id"));
        Assert.Equal(2, await App.MemberCount(id));
    }

    [Fact]
    public async Task WithWelcomeDisabledTheJoinEventCarriesNoMessage()
    {
        var (id, channel) = await App.ConnectedCommunity();
        await App.Settings(id, new() { ["welcome_enabled"] = false });

        await App.Join(channel, Unique("quiet"));

        var joined = Assert.Single(await App.EventData(id, "member.joined"));
        Assert.Equal(JsonValueKind.Null, joined.GetProperty("welcome_message").ValueKind);
    }

    [Fact]
    public async Task NewMembersStartAtTheCommunitysStartingScore()
    {
        var (id, channel) = await App.ConnectedCommunity();
        await App.Settings(id, new() { ["reputation.starting_score"] = 700 });

        var member = (await App.Join(channel, Unique("good"))).GetProperty("member");

        Assert.Equal(700, member.Int("reputation"));
        Assert.Equal("Good", member.Str("reputation_tier"));
    }

    [Fact]
    public async Task JoiningAgainChangesNothingAndAnnouncesNothing()
    {
        var (id, channel) = await App.ConnectedCommunity();
        var account = Unique("again");
        var first = await App.Join(channel, account);

        var second = await App.Join(channel, account);

        Assert.False(second.Bool("created"));
        Assert.False(second.Bool("user_created"));
        Assert.Equal(first.Long("hub_user_id"), second.Long("hub_user_id"));
        Assert.Single(await App.EventData(id, "member.joined"));
        Assert.Equal(2, await App.MemberCount(id));
    }

    /// <summary>
    /// A member chatting again is answered by one read and writes nothing, unless the platform shows a new name (recorded
    /// at once, the derived hub username following) or the last sighting is over a minute old.
    /// </summary>
    [Fact]
    public async Task AnActiveMembersJoinRecordsANewNameAtOnceAndTheSightingOncePerMinute()
    {
        var (_, channel) = await App.ConnectedCommunity();
        var account = Unique("acct");
        async Task<JsonElement> JoinAs(string name) => await (await App.Service().Post("/api/v1/members/join",
            new { platform = "twitch", platform_community_id = channel, platform_user_id = account, platform_username = name })).Data();
        Task<(string? Name, DateTime LastSeen, string HubName)> StoredAsync() => App.Db(async db =>
        {
            var identity = await db.UserIdentities.AsNoTracking().SingleAsync(i => i.Platform == "twitch" && i.PlatformUserId == account, Ct);
            var user = await db.HubUsers.AsNoTracking().SingleAsync(u => u.Id == identity.HubUserId, Ct);
            return (identity.PlatformUsername, identity.LastSeenAt, user.Username);
        });
        await JoinAs("Mallard");
        var seen = await StoredAsync();

        var again = await JoinAs("Mallard");
        Assert.False(again.Bool("created"));
        Assert.False(again.Bool("user_created"));
        Assert.Equal("Mallard", again.GetProperty("member").Str("username"));
        Assert.Equal(seen, await StoredAsync());

        var renamed = await JoinAs("Teal");
        Assert.Equal("Teal", renamed.GetProperty("member").Str("username"));
        var afterRename = await StoredAsync();
        Assert.Equal(("Teal", "Teal"), (afterRename.Name, afterRename.HubName));

        App.Clock.Advance(Api.Identities.IdentityResolver.LastSeenGranularity + TimeSpan.FromSeconds(1));
        await JoinAs("Teal");
        Assert.True((await StoredAsync()).LastSeen > afterRename.LastSeen);
    }

    [Fact]
    public async Task JoiningAnUnknownChannelIsCommunityNotFound()
    {
        var response = await App.Service().Post("/api/v1/members/join",
            new { platform = "twitch", platform_community_id = Unique("nowhere"), platform_user_id = Unique("acct") });
        await response.Problem(HttpStatusCode.NotFound, "community_not_found");
    }

    [Fact]
    public async Task JoiningADeactivatedCommunityIsRefusedWithoutCreatingTheUser()
    {
        var (id, channel) = await App.ConnectedCommunity();
        await (await App.Service().DeleteAsync($"/api/v1/communities/{id}", Ct)).Data();
        var account = Unique("late");

        var response = await App.Service().Post("/api/v1/members/join", new { platform = "twitch", platform_community_id = channel, platform_user_id = account });

        await response.Problem(HttpStatusCode.Conflict, "community_inactive");
        await (await App.Service().GetAsync($"/api/v1/identities/twitch/{account}", Ct)).Problem(HttpStatusCode.NotFound, "identity_not_found");
        Assert.Empty(await App.EventData(id, "member.joined"));
    }

    [Fact]
    public async Task JoiningFromAnUnsupportedPlatformIsRefused()
    {
        var response = await App.Service().Post("/api/v1/members/join",
            new { platform = "myspace", platform_community_id = Unique("chan"), platform_user_id = Unique("acct") });
        await response.Problem(HttpStatusCode.BadRequest, "unsupported_platform");
    }

    [Fact]
    public async Task JoiningWithoutTheIdsNamesEveryMissingField()
    {
        var problem = await (await App.Service().Post("/api/v1/members/join", new { platform_username = "x" }))
            .Problem(HttpStatusCode.BadRequest, "validation_failed");
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("platform", out _));
        Assert.True(errors.TryGetProperty("platform_community_id", out _));
        Assert.True(errors.TryGetProperty("platform_user_id", out _));
    }

    [Fact]
    public async Task LeavingEndsTheMembershipAndAnnouncesIt()
    {
        var (id, channel) = await App.ConnectedCommunity();
        var account = Unique("leaver");
        var hubUserId = (await App.Join(channel, account)).Long("hub_user_id");
        Assert.Equal(2, await App.MemberCount(id));

        var data = await App.Leave(channel, account);

        Assert.True(data.Bool("left"));
        Assert.Equal(hubUserId, data.Long("hub_user_id"));
        Assert.Equal("left", data.GetProperty("member").Str("status"));
        Assert.Equal("left", (await App.Member(id, hubUserId)).Str("status"));
        Assert.Equal(1, await App.MemberCount(id));
        Assert.Single(await App.EventData(id, "member.left", hubUserId));
    }

    [Fact]
    public async Task RejoiningAfterLeavingKeepsTheReputationAndAnnouncesTheJoinAgain()
    {
        var (id, channel) = await App.ConnectedCommunity();
        var account = Unique("back");
        var hubUserId = (await App.Join(channel, account)).Long("hub_user_id");
        await App.SetReputation(id, hubUserId, 720);
        await App.Leave(channel, account);

        var again = await App.Join(channel, account);

        Assert.True(again.Bool("created"));
        Assert.False(again.Bool("user_created"));
        Assert.Equal(720, again.GetProperty("member").Int("reputation"));
        Assert.Equal("active", again.GetProperty("member").Str("status"));
        Assert.Equal(2, (await App.EventData(id, "member.joined", hubUserId)).Count);
        Assert.Equal(2, await App.MemberCount(id));
    }

    [Fact]
    public async Task TheOwnerCannotLeave()
    {
        var owner = Unique("owner");
        var id = (await App.Community(ownerPlatformUserId: owner)).Long("id");
        var channel = Unique("chan");
        await App.Connect(id, "twitch", channel);

        var response = await App.Service().Post("/api/v1/members/leave", new { platform = "twitch", platform_community_id = channel, platform_user_id = owner });

        await response.Problem(HttpStatusCode.Conflict, "owner_cannot_leave");
        var ownerId = (await App.Service().GetAsync($"/api/v1/communities/{id}", Ct).Data()).Long("owner_id");
        await App.Service().DeleteAsync($"/api/v1/communities/{id}/members/{ownerId}", Ct).Problem(HttpStatusCode.Conflict, "owner_cannot_leave");
        await App.User(ownerId).DeleteAsync($"/api/v1/communities/{id}/members/{ownerId}", Ct).Problem(HttpStatusCode.Conflict, "owner_cannot_leave");
        Assert.Equal(1, await App.MemberCount(id));
        Assert.Empty(await App.EventData(id, "member.left"));
    }

    [Fact]
    public async Task LeavingWithAnUnknownAccountIsIdentityNotFound()
    {
        var (_, channel) = await App.ConnectedCommunity();
        var response = await App.Service().Post("/api/v1/members/leave",
            new { platform = "twitch", platform_community_id = channel, platform_user_id = Unique("ghost") });
        await response.Problem(HttpStatusCode.NotFound, "identity_not_found");
    }

    // ---- The members API

    [Fact]
    public async Task ListingShowsActiveMembersByDefaultAndEveryoneWithStatusAll()
    {
        var (id, channel) = await App.ConnectedCommunity();
        var stays = (await App.Join(channel, Unique("stays"))).Long("hub_user_id");
        var goes = Unique("goes");
        var gone = (await App.Join(channel, goes)).Long("hub_user_id");
        await App.Leave(channel, goes);

        var active = await List(id, "");
        var all = await List(id, "status=all");
        var left = await List(id, "status=left");

        Assert.Equal(2, active.Count);
        Assert.Contains(stays, active.Select(m => m.Long("hub_user_id")));
        Assert.All(active, m => Assert.Equal("active", m.Str("status")));
        Assert.Equal(3, all.Count);
        Assert.Equal(gone, Assert.Single(left).Long("hub_user_id"));
    }

    [Fact]
    public async Task ListingFiltersByRoleAndSearchesUsernames()
    {
        var (id, channel) = await App.ConnectedCommunity();
        var tag = Unique("mallard")[8..];
        var mod = (await App.Join(channel, Unique("m"), username: $"Big{tag}Duck")).Long("hub_user_id");
        await App.Join(channel, Unique("o"), username: "someone-else");
        await (await App.Service().Put($"/api/v1/communities/{id}/members/{mod}/role", new { role = "moderator" })).Data();

        Assert.Equal(mod, Assert.Single(await List(id, "role=moderator")).Long("hub_user_id"));
        Assert.Equal("owner", Assert.Single(await List(id, "role=owner")).Str("role"));
        Assert.Equal(mod, Assert.Single(await List(id, $"q={tag.ToUpperInvariant()}")).Long("hub_user_id"));
        Assert.Empty(await List(id, "q=nobody-has-this-name"));
        var underscore = (await App.Join(channel, Unique("u"), username: $"a_{tag}")).Long("hub_user_id");
        await App.Join(channel, Unique("x"), username: $"ax{tag}");
        Assert.Equal(underscore, Assert.Single(await List(id, $"q=a_{tag}")).Long("hub_user_id")); // _ is no wildcard
    }

    [Fact]
    public async Task SortingByReputationListsTheHighestFirst()
    {
        var (id, channel) = await App.ConnectedCommunity();
        var low = (await App.Join(channel, Unique("low"))).Long("hub_user_id");
        var high = (await App.Join(channel, Unique("high"))).Long("hub_user_id");
        await App.SetReputation(id, low, 400);
        await App.SetReputation(id, high, 810);

        var scores = (await List(id, "sort=reputation")).Select(m => m.Int("reputation")).ToList();

        Assert.Equal([810, 600, 400], scores);
    }

    // status=all takes the page composed per request (on SQLite its two-seek form after a cursor), the rest the default
    // page (compiled on SQLite, read by hand on PostgreSQL): both must walk the ties alike.
    [Theory]
    [InlineData("joined_at", "")]
    [InlineData("reputation", "")]
    [InlineData("joined_at", "&status=all")]
    [InlineData("reputation", "&status=all")]
    public async Task PagingThroughMembersVisitsEachExactlyOnceInOrder(string sort, string filter)
    {
        var (id, channel) = await App.ConnectedCommunity();
        int[] scores = [650, 650, 400, 650, 720, 600, 600, 500];
        var joinedInOrder = new List<long> { (await List(id, "")).Single().Long("hub_user_id") };
        var reputation = new Dictionary<long, int> { [joinedInOrder[0]] = 600 };
        foreach (var score in scores)
        {
            var hubUserId = (await App.Join(channel, Unique("p"))).Long("hub_user_id");
            if (score != 600) await App.SetReputation(id, hubUserId, score);
            joinedInOrder.Add(hubUserId);
            reputation[hubUserId] = score;
        }
        var expected = sort == "joined_at"
            ? joinedInOrder
            : joinedInOrder.OrderByDescending(u => reputation[u]).ThenByDescending(u => u).ToList();

        var seen = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var body = await (await App.Service().GetAsync(
                $"/api/v1/communities/{id}/members?sort={sort}{filter}&limit=4{(cursor is null ? "" : $"&cursor={cursor}")}", Ct)).Json();
            var items = body.GetProperty("data").EnumerateArray().ToList();
            Assert.InRange(items.Count, 1, 4);
            seen.AddRange(items.Select(m => m.Long("hub_user_id")));
            cursor = body.GetProperty("meta").GetProperty("next_cursor").GetString();
            pages++;
        } while (cursor is not null);

        Assert.Equal(expected, seen);
        Assert.Equal(3, pages); // 9 members, 4 a page
    }

    [Fact]
    public async Task ABadCursorOrLimitIsRefused()
    {
        var (id, channel) = await App.ConnectedCommunity();
        await App.Join(channel, Unique("a"));
        var client = App.Service();

        await (await client.GetAsync($"/api/v1/communities/{id}/members?cursor=not-a-cursor", Ct)).Problem(HttpStatusCode.BadRequest, "invalid_cursor");
        foreach (var query in new[] { "limit=0", "limit=201", "sort=name", "status=gone" })
            await (await client.GetAsync($"/api/v1/communities/{id}/members?{query}", Ct)).Problem(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task ACursorOfOneSortIsRefusedByTheOther()
    {
        var (id, channel) = await App.ConnectedCommunity();
        await App.Join(channel, Unique("a"));
        var client = App.Service();
        var byJoin = (await (await client.GetAsync($"/api/v1/communities/{id}/members?limit=1", Ct)).Json()).GetProperty("meta").Str("next_cursor");
        var byReputation = (await (await client.GetAsync($"/api/v1/communities/{id}/members?sort=reputation&limit=1", Ct)).Json())
            .GetProperty("meta").Str("next_cursor");

        var problem = await (await client.GetAsync($"/api/v1/communities/{id}/members?sort=reputation&cursor={byJoin}", Ct))
            .Problem(HttpStatusCode.BadRequest, "invalid_cursor");
        Assert.True(problem.GetProperty("errors").TryGetProperty("cursor", out _));
        await (await client.GetAsync($"/api/v1/communities/{id}/members?cursor={byReputation}", Ct)).Problem(HttpStatusCode.BadRequest, "invalid_cursor");
    }

    [Fact]
    public async Task GettingSomeoneWhoIsNotAMemberIsMemberNotFound()
    {
        var (id, _) = await App.ConnectedCommunity();
        var stranger = await NewUser();
        await (await App.Service().GetAsync($"/api/v1/communities/{id}/members/{stranger}", Ct)).Problem(HttpStatusCode.NotFound, "member_not_found");
    }

    [Fact]
    public async Task AddingByHubUserIdIs201ThenIdempotent200()
    {
        var (id, _) = await App.ConnectedCommunity();
        var hubUserId = await NewUser();

        var added = await (await App.Service().Post($"/api/v1/communities/{id}/members", new { hub_user_id = hubUserId })).Data(HttpStatusCode.Created);
        var again = await (await App.Service().Post($"/api/v1/communities/{id}/members", new { hub_user_id = hubUserId })).Data();

        Assert.Equal("member", added.Str("role"));
        Assert.Equal("active", again.Str("status"));
        Assert.Single(await App.EventData(id, "member.joined", hubUserId));
        Assert.Equal(2, await App.MemberCount(id));
    }

    [Fact]
    public async Task AddingBackARemovedMemberReactivatesItWithItsReputation()
    {
        var (id, channel) = await App.ConnectedCommunity();
        var hubUserId = (await App.Join(channel, Unique("kicked"))).Long("hub_user_id");
        await App.SetReputation(id, hubUserId, 690);
        await (await App.Service().DeleteAsync($"/api/v1/communities/{id}/members/{hubUserId}", Ct)).Data();

        var back = await (await App.Service().Post($"/api/v1/communities/{id}/members", new { hub_user_id = hubUserId })).Data(HttpStatusCode.Created);

        Assert.Equal("active", back.Str("status"));
        Assert.Equal(690, back.Int("reputation"));
        Assert.Equal(2, (await App.EventData(id, "member.joined", hubUserId)).Count);
        Assert.Equal(2, await App.MemberCount(id));
    }

    [Fact]
    public async Task AddingByPlatformAccountCreatesTheHubUser()
    {
        var (id, _) = await App.ConnectedCommunity();
        var account = Unique("new");

        var added = await (await App.Service().Post($"/api/v1/communities/{id}/members",
            new { platform = "discord", platform_user_id = account, platform_username = "Newcomer", role = "moderator" })).Data(HttpStatusCode.Created);

        var user = await (await App.Service().GetAsync($"/api/v1/identities/discord/{account}", Ct)).Data();
        Assert.Equal(user.Long("id"), added.Long("hub_user_id"));
        Assert.Equal("Newcomer", user.Str("username"));
        Assert.Equal("moderator", added.Str("role"));
    }

    [Fact]
    public async Task AddingAsOwnerIsAValidationError()
    {
        var (id, _) = await App.ConnectedCommunity();
        var hubUserId = await NewUser();
        var problem = await (await App.Service().Post($"/api/v1/communities/{id}/members", new { hub_user_id = hubUserId, role = "owner" }))
            .Problem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("role", out _));
        await (await App.Service().GetAsync($"/api/v1/communities/{id}/members/{hubUserId}", Ct)).Problem(HttpStatusCode.NotFound, "member_not_found");
    }

    [Fact]
    public async Task RemovingAMemberMarksItRemovedAndAnnouncesIt()
    {
        var (id, channel) = await App.ConnectedCommunity();
        var hubUserId = (await App.Join(channel, Unique("rude"))).Long("hub_user_id");

        var removed = await (await App.Service().DeleteAsync($"/api/v1/communities/{id}/members/{hubUserId}?reason=spam", Ct)).Data();

        Assert.Equal("removed", removed.Str("status"));
        var e = Assert.Single(await App.EventData(id, "member.removed", hubUserId));
        Assert.Equal("spam", e.Str("reason"));
        Assert.Empty(await App.EventData(id, "member.left", hubUserId));
        Assert.Equal(1, await App.MemberCount(id));
    }

    [Theory]
    [InlineData("line%0Abreak", "Must not contain control characters.")]
    [InlineData("", "Must not be empty.")]
    [InlineData(null, "Must be at most 500 characters.")]
    public async Task ARemovalReasonFollowsTheBansTextRules(string? reason, string error)
    {
        var (id, channel) = await App.ConnectedCommunity();
        var hubUserId = (await App.Join(channel, Unique("kept"))).Long("hub_user_id");

        var problem = await (await App.Service().DeleteAsync($"/api/v1/communities/{id}/members/{hubUserId}?reason={reason ?? new string('x', 501)}", Ct))
            .Problem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(error, problem.GetProperty("errors").GetProperty("reason")[0].GetString());
        Assert.Equal("active", (await App.Member(id, hubUserId)).Str("status"));
        Assert.Empty(await App.EventData(id, "member.removed", hubUserId));
    }

    [Fact]
    public async Task ChangingARoleAnnouncesTheOldAndNewRole()
    {
        var (id, channel) = await App.ConnectedCommunity();
        var hubUserId = (await App.Join(channel, Unique("promo"))).Long("hub_user_id");

        var changed = await (await App.Service().Put($"/api/v1/communities/{id}/members/{hubUserId}/role", new { role = "admin" })).Data();

        Assert.Equal("admin", changed.Str("role"));
        Assert.Equal("admin", (await App.Member(id, hubUserId)).Str("role"));
        var e = Assert.Single(await App.EventData(id, "member.role_changed", hubUserId));
        Assert.Equal("member", e.Str("old_role"));
        Assert.Equal("admin", e.Str("new_role"));
    }

    [Fact]
    public async Task TheOwnersRoleCannotBeChangedNorCanAnyoneBeMadeOwner()
    {
        var (id, channel) = await App.ConnectedCommunity();
        var ownerId = (await (await App.Service().GetAsync($"/api/v1/communities/{id}", Ct)).Data()).Long("owner_id");
        var member = (await App.Join(channel, Unique("x"))).Long("hub_user_id");

        await (await App.Service().Put($"/api/v1/communities/{id}/members/{ownerId}/role", new { role = "admin" })).Problem(HttpStatusCode.Conflict, "conflict");
        await (await App.Service().Put($"/api/v1/communities/{id}/members/{member}/role", new { role = "owner" }))
            .Problem(HttpStatusCode.BadRequest, "validation_failed");

        Assert.Equal("owner", (await App.Member(id, ownerId)).Str("role"));
        Assert.Equal("member", (await App.Member(id, member)).Str("role"));
        Assert.Empty(await App.EventData(id, "member.role_changed"));
    }

    // ---- Bans and timeouts (through the service key)

    [Fact]
    public async Task ABanEndsTheMembershipAndTellsEveryConnectedPlatformWhomToBan()
    {
        var (id, channel) = await App.ConnectedCommunity();
        var server = Unique("guild");
        await App.Connect(id, "discord", server);
        var account = Unique("troll");
        var hubUserId = (await App.Join(channel, account)).Long("hub_user_id");
        var discordAccount = Unique("dtroll");
        await (await App.Service().Post($"/api/v1/users/{hubUserId}/identities", new { platform = "discord", platform_user_id = discordAccount }))
            .Data(HttpStatusCode.Created);

        var banned = await (await App.Service().Post($"/api/v1/communities/{id}/members/{hubUserId}/ban", new { reason = "spam links" })).Data();

        Assert.Equal("banned", banned.Str("status"));
        Assert.Equal("spam links", banned.GetProperty("ban").Str("reason"));
        Assert.Equal(JsonValueKind.Null, banned.GetProperty("ban").GetProperty("expires_at").ValueKind);
        Assert.Equal(1, await App.MemberCount(id));
        var e = Assert.Single(await App.EventData(id, "member.banned", hubUserId));
        Assert.False(e.Bool("automatic"));
        var platforms = e.GetProperty("platforms").EnumerateArray()
            .Select(p => (p.Str("platform"), p.Str("platform_community_id"), string.Join(",", p.GetProperty("platform_user_ids").EnumerateArray().Select(u => u.GetString()))))
            .ToList();
        Assert.Equal([("twitch", channel, account), ("discord", server, discordAccount)], platforms);
    }

    [Fact]
    public async Task ABannedUserCannotJoinThroughAnyOfItsAccounts()
    {
        var (id, channel) = await App.ConnectedCommunity();
        var server = Unique("guild");
        await App.Connect(id, "discord", server);
        var account = Unique("troll");
        var hubUserId = (await App.Join(channel, account)).Long("hub_user_id");
        var discordAccount = Unique("dtroll");
        await (await App.Service().Post($"/api/v1/users/{hubUserId}/identities", new { platform = "discord", platform_user_id = discordAccount }))
            .Data(HttpStatusCode.Created);
        await (await App.Service().Post($"/api/v1/communities/{id}/members/{hubUserId}/ban", new { reason = "spam" })).Data();

        await (await App.Service().Post("/api/v1/members/join", new { platform = "twitch", platform_community_id = channel, platform_user_id = account }))
            .Problem(HttpStatusCode.Forbidden, "member_banned");
        await (await App.Service().Post("/api/v1/members/join", new { platform = "discord", platform_community_id = server, platform_user_id = discordAccount }))
            .Problem(HttpStatusCode.Forbidden, "member_banned");
        await (await App.Service().Post($"/api/v1/communities/{id}/members", new { hub_user_id = hubUserId })).Problem(HttpStatusCode.Forbidden, "member_banned");

        Assert.Single(await App.EventData(id, "member.joined", hubUserId));
        Assert.Equal("banned", (await App.Member(id, hubUserId)).Str("status"));
        Assert.Equal(1, await App.MemberCount(id));
    }

    [Fact]
    public async Task ATimeoutKeepsTheMemberButRefusesJoinsUntilItExpires()
    {
        var (id, channel) = await App.ConnectedCommunity();
        var account = Unique("loud");
        var hubUserId = (await App.Join(channel, account)).Long("hub_user_id");
        var service = App.Service();

        var timedOut = await (await service.Post($"/api/v1/communities/{id}/members/{hubUserId}/ban", new { reason = "caps", duration_seconds = 60 })).Data();

        Assert.Equal("active", timedOut.Str("status"));
        var expires = timedOut.GetProperty("ban").GetProperty("expires_at").GetDateTime();
        Assert.Equal(TimeSpan.FromSeconds(60), expires - timedOut.GetProperty("updated_at").GetDateTime());
        Assert.Equal(2, await App.MemberCount(id));
        Assert.True((await (await service.Lookup(channel, account)).Data()).Bool("banned"));
        await (await service.Post("/api/v1/members/join", new { platform = "twitch", platform_community_id = channel, platform_user_id = account }))
            .Problem(HttpStatusCode.Forbidden, "member_banned");

        App.Clock.Advance(TimeSpan.FromSeconds(61));

        var joined = await App.Join(channel, account);
        Assert.False(joined.Bool("created"));
        Assert.Equal(JsonValueKind.Null, joined.GetProperty("member").GetProperty("ban").ValueKind);
        Assert.False((await (await service.Lookup(channel, account)).Data()).Bool("banned"));
        Assert.Single(await App.EventData(id, "member.joined", hubUserId));
        Assert.Equal(2, await App.MemberCount(id));
    }

    [Fact]
    public async Task UnbanningAnnouncesItAndLetsTheUserJoinAgain()
    {
        var (id, channel) = await App.ConnectedCommunity();
        var account = Unique("sorry");
        var hubUserId = (await App.Join(channel, account)).Long("hub_user_id");
        await (await App.Service().Post($"/api/v1/communities/{id}/members/{hubUserId}/ban", new { reason = "spam" })).Data();

        var unbanned = await (await App.Service().DeleteAsync($"/api/v1/communities/{id}/members/{hubUserId}/ban", Ct)).Data();

        Assert.Equal(JsonValueKind.Null, unbanned.GetProperty("ban").ValueKind);
        Assert.Equal("removed", unbanned.Str("status")); // documented: a lifted ban leaves the membership ended, free to rejoin
        var e = Assert.Single(await App.EventData(id, "member.unbanned", hubUserId));
        Assert.Equal("twitch", e.GetProperty("platforms")[0].Str("platform"));
        var back = await App.Join(channel, account);
        Assert.True(back.Bool("created"));
        Assert.Equal(2, await App.MemberCount(id));
    }

    [Fact]
    public async Task TheOwnerCannotBeBanned()
    {
        var (id, _) = await App.ConnectedCommunity();
        var ownerId = (await (await App.Service().GetAsync($"/api/v1/communities/{id}", Ct)).Data()).Long("owner_id");

        await (await App.Service().Post($"/api/v1/communities/{id}/members/{ownerId}/ban", new { reason = "coup" })).Problem(HttpStatusCode.Conflict, "conflict");

        Assert.Equal("active", (await App.Member(id, ownerId)).Str("status"));
        Assert.Empty(await App.EventData(id, "member.banned"));
    }

    // ---- Every write commits with its event

    [Fact]
    public async Task EveryMembershipWriteCommitsExactlyOneEventAndNoOpWritesNone()
    {
        var (id, channel) = await App.ConnectedCommunity();
        var account = Unique("life");
        var service = App.Service();
        var hubUserId = (await App.Join(channel, account)).Long("hub_user_id");
        var member = $"/api/v1/communities/{id}/members/{hubUserId}";

        await Expect(joined: 1);
        await App.Join(channel, account);
        await Expect(joined: 1);
        await (await service.Put($"{member}/role", new { role = "moderator" })).Data();
        await (await service.Put($"{member}/role", new { role = "moderator" })).Data();
        await Expect(joined: 1, roleChanged: 1);
        await App.SetReputation(id, hubUserId, 640);
        await Expect(joined: 1, roleChanged: 1, reputation: 1);
        await App.Leave(channel, account);
        Assert.False((await App.Leave(channel, account)).Bool("left"));
        await Expect(joined: 1, roleChanged: 1, reputation: 1, left: 1);
        await App.Join(channel, account);
        await Expect(joined: 2, roleChanged: 1, reputation: 1, left: 1);
        await (await service.Post($"{member}/ban", new { reason = "spam" })).Data();
        await (await service.Post("/api/v1/members/join", new { platform = "twitch", platform_community_id = channel, platform_user_id = account }))
            .Problem(HttpStatusCode.Forbidden, "member_banned");
        await Expect(joined: 2, roleChanged: 1, reputation: 1, left: 1, banned: 1);
        await (await service.DeleteAsync($"{member}/ban", Ct)).Data();
        await (await service.DeleteAsync($"{member}/ban", Ct)).Data();
        await Expect(joined: 2, roleChanged: 1, reputation: 1, left: 1, banned: 1, unbanned: 1);
        await App.Join(channel, account);
        await (await service.DeleteAsync(member, Ct)).Data();
        await (await service.DeleteAsync(member, Ct)).Data();
        await Expect(joined: 3, roleChanged: 1, reputation: 1, left: 1, banned: 1, unbanned: 1, removed: 1);
        Assert.Equal("removed", (await App.Member(id, hubUserId)).Str("status"));

        async Task Expect(int joined = 0, int left = 0, int removed = 0, int roleChanged = 0, int banned = 0, int unbanned = 0, int reputation = 0)
        {
            var counts = new List<int>();
            foreach (var type in new[] { "joined", "left", "removed", "role_changed", "banned", "unbanned", "reputation_changed" })
                counts.Add((await App.EventData(id, $"member.{type}", hubUserId)).Count);
            Assert.Equal([joined, left, removed, roleChanged, banned, unbanned, reputation], counts);
            await App.MemberCount(id); // asserts member_count equals the active rows
        }
    }

    /// <summary>
    /// A new viewer's join takes the community's lock only at its end, with the count update that confirms the community
    /// is still active (PostgreSQL: at COMMIT): one deactivated after the join read it gets no member, no count and no event.
    /// </summary>
    [Fact]
    public async Task ANewViewersJoinIntoACommunityDeactivatedMeanwhileWritesNoMembership()
    {
        var (id, _) = await App.ConnectedCommunity();
        await (await App.Service().DeleteAsync($"/api/v1/communities/{id}", Ct)).Data();
        var account = Unique("late");
        var caller = new Caller(CallerKind.Service, "test", null, false, new HashSet<string> { "*" });

        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CommunityDb>();
        await using var tx = await db.Database.BeginTransactionAsync(Ct);
        var user = await scope.ServiceProvider.GetRequiredService<IdentityResolver>().TryCreateAsync(caller, "twitch", account, account, null, Ct);
        Assert.NotNull(user);
        var joined = await scope.ServiceProvider.GetRequiredService<Memberships>()
            .JoinCreatedUserAsync(caller, id, "Late", user.Value, account, "twitch", account, Ct);
        if (db.IsPostgres)
        {
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => tx.CommitAsync(Ct)); // counted, and refused, at COMMIT
            Assert.True(DbErrors.IsCommunityInactiveAtCommit(refused), refused.ToString());
        }
        else
        {
            Assert.Null(joined);
            Assert.Equal(0, await db.Members.CountAsync(m => m.CommunityId == id && m.HubUserId == user, Ct)); // not even inside the transaction
            await tx.RollbackAsync(Ct);
        }

        Assert.Equal(1, await App.MemberCount(id)); // the owner; asserts member_count equals the active rows
        Assert.Empty(await App.EventData(id, "member.joined", user.Value));
        await App.Service().GetAsync($"/api/v1/identities/twitch/{account}", Ct).Problem(HttpStatusCode.NotFound, "identity_not_found");
    }

    [Fact]
    public async Task AMembershipWriteWhoseEventCannotBeStoredChangesNothing()
    {
        var (id, channel) = await App.ConnectedCommunity();
        var account = Unique("atomic");
        var service = App.Service();
        var join = new { platform = "twitch", platform_community_id = channel, platform_user_id = account };

        await using (await App.RefuseEvents("member.joined"))
            Assert.False((await service.Post("/api/v1/members/join", join)).IsSuccessStatusCode);
        // A new viewer's hub user and account are written in the join's transaction: none of it stays.
        await service.GetAsync($"/api/v1/identities/twitch/{account}", Ct).Problem(HttpStatusCode.NotFound, "identity_not_found");
        Assert.Equal(1, await App.MemberCount(id));

        await App.Join(channel, account);
        var hubUserId = (await service.GetAsync($"/api/v1/identities/twitch/{account}", Ct).Data()).Long("id");
        var member = $"/api/v1/communities/{id}/members/{hubUserId}";
        await App.Settings(id, new() { ["moderation.auto_ban_enabled"] = true, ["moderation.auto_ban_threshold"] = 450 });
        await Refused("member.left", () => service.Post("/api/v1/members/leave", join));
        await Refused("member.removed", () => service.DeleteAsync(member, Ct));
        await Refused("member.role_changed", () => service.Put($"{member}/role", new { role = "admin" }));
        await Refused("member.reputation_changed", () => service.Post($"{member}/reputation", new { delta = 5, reason = "x" }));
        await Refused("member.banned", () => service.Post($"{member}/ban", new { reason = "x" }));
        await Refused("member.banned", () => service.Post($"{member}/ban", new { reason = "x", duration_seconds = 60 }));
        await Refused("member.banned", () => service.Post($"{member}/reputation", new { value = 400, reason = "auto-ban" }));
        Assert.Equal(0, await App.Db(db => db.ReputationHistory.CountAsync(h => h.HubUserId == hubUserId, Ct)));
        await service.Post($"{member}/ban", new { reason = "for real" }).Data();
        await Refused("member.unbanned", () => service.DeleteAsync($"{member}/ban", Ct));
        Assert.Equal("banned", (await App.Member(id, hubUserId)).Str("status"));

        async Task Refused(string type, Func<Task<HttpResponseMessage>> write)
        {
            var before = (await App.Member(id, hubUserId)).GetRawText();
            var events = (await App.EventData(id, type, hubUserId)).Count;
            await using (await App.RefuseEvents(type))
            {
                var response = await write();
                Assert.False(response.IsSuccessStatusCode, $"{type}: {(int)response.StatusCode}");
            }
            Assert.Equal(before, (await App.Member(id, hubUserId)).GetRawText());
            Assert.Equal(events, (await App.EventData(id, type, hubUserId)).Count);
            await App.MemberCount(id);
        }
    }

    private async Task<List<JsonElement>> List(long communityId, string query) =>
        (await (await App.Service().GetAsync($"/api/v1/communities/{communityId}/members?{query}", Ct)).Data()).EnumerateArray().ToList();

    private async Task<long> NewUser() =>
        (await (await App.Service().Post("/api/v1/users", new { username = Unique("user") })).Data(HttpStatusCode.Created)).Long("id");
}

public sealed class MembershipTestsOnSqlite(SqliteApp app) : MembershipTests(app), IClassFixture<SqliteApp>;

public sealed class MembershipTestsOnPostgres(PostgresApp app) : MembershipTests(app), IClassFixture<PostgresApp>;
