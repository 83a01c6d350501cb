using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Community.Api.Invites;
using Community.Api.Tests.Auth;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Tests.Invites;

/// <summary>
/// The Invites section of the contract: moderators create, list and revoke codes; any signed-in user holding one
/// previews the community and joins it, whatever its <c>join_mode</c>; dead codes all get the same 404.
/// </summary>
public abstract partial class InviteTests(TestApp app) : ApiTest(app)
{
    // ---- create --------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task AModeratorCreatesAnInviteWithAUseLimitAndAnExpiry()
    {
        var crew = await App.Crew();
        var before = App.Clock.GetUtcNow().UtcDateTime;

        var response = await App.User(crew.Moderator).Post($"{crew.Url}/invites", new { max_uses = 5, expires_in_seconds = 3600 });

        var invite = await response.Data(HttpStatusCode.Created);
        var code = invite.Str("code");
        Assert.Matches(CodeShape(), code);
        Assert.Equal($"/api/v1/invites/{code}", response.Headers.Location?.OriginalString);
        Assert.Equal(crew.Community, invite.Long("community_id"));
        Assert.Equal($"user:{crew.Moderator}", invite.Str("created_by"));
        Assert.Equal(5, invite.Int("max_uses"));
        Assert.Equal(0, invite.Int("uses"));
        Assert.True(invite.Bool("is_active"));
        Assert.Equal(JsonValueKind.Null, invite.GetProperty("revoked_at").ValueKind);
        var expires = invite.GetProperty("expires_at").GetDateTime();
        Assert.InRange(expires - before, TimeSpan.FromSeconds(3599), TimeSpan.FromSeconds(3700));
        Assert.EndsWith("Z", invite.GetProperty("expires_at").GetString());

        var created = Assert.Single(await App.EventData(crew.Community, "invite.created"));
        Assert.Equal(code, created.GetProperty("invite").Str("code"));
        var audit = await App.Db(db => db.AuditLog.AsNoTracking().SingleAsync(a => a.CommunityId == crew.Community && a.Action == "invite.created", Ct));
        Assert.Equal(("user", crew.Moderator.ToString(), "invite", code), (audit.ActorType, audit.ActorId, audit.TargetType, audit.TargetId));
    }

    [Fact]
    public async Task AnInviteWithoutLimitsNeverExpiresAndAdmitsAnyNumber()
    {
        var crew = await App.Crew();
        var withEmptyObject = await App.User(crew.Admin).Invite(crew.Community);
        var withoutBody = await (await App.User(crew.Admin).PostAsync($"{crew.Url}/invites", null, Ct)).Data(HttpStatusCode.Created);

        foreach (var invite in new[] { withEmptyObject, withoutBody })
        {
            Assert.Equal(JsonValueKind.Null, invite.GetProperty("max_uses").ValueKind);
            Assert.Equal(JsonValueKind.Null, invite.GetProperty("expires_at").ValueKind);
        }
        Assert.NotEqual(withEmptyObject.Str("code"), withoutBody.Str("code"));
        for (var i = 0; i < 3; i++) await App.AcceptInvite(await App.HubUser(), withoutBody.Str("code")).Data(HttpStatusCode.Created);
        Assert.Equal(3, (await App.StoredInvite(withoutBody.Str("code"))).Uses);
    }

    [Fact]
    public async Task LimitsOutOfRangeAreRefusedFieldByField()
    {
        var community = await App.CommunityOwnedBy(await App.HubUser());
        var url = $"/api/v1/communities/{community}/invites";
        foreach (var (body, fields) in new (object, string[])[]
                 {
                     (new { max_uses = 0 }, ["max_uses"]),
                     (new { max_uses = 10_001 }, ["max_uses"]),
                     (new { expires_in_seconds = 59 }, ["expires_in_seconds"]),
                     (new { expires_in_seconds = 2_592_001 }, ["expires_in_seconds"]),
                     (new { max_uses = -1, expires_in_seconds = -1 }, ["expires_in_seconds", "max_uses"]),
                 })
        {
            var problem = await App.Service().Post(url, body).Problem(HttpStatusCode.BadRequest, "validation_failed");
            Assert.Equal(fields, problem.ErrorFields());
        }
        await App.Service().Post(url, new { max_uses = "three" }).Problem(HttpStatusCode.BadRequest, "validation_failed");
        await App.Service().Post(url, new { max_uses = 1, expires_in_seconds = 60 }).Data(HttpStatusCode.Created);
        await App.Service().Post(url, new { max_uses = 10_000, expires_in_seconds = 2_592_000 }).Data(HttpStatusCode.Created);
        Assert.Equal(2, await App.Db(db => db.Invites.CountAsync(i => i.CommunityId == community, Ct)));
    }

    [Fact]
    public async Task ADeactivatedCommunityGetsNoNewInvites()
    {
        var crew = await App.Crew();
        await (await App.Service().DeleteAsync(crew.Url, Ct)).Data();

        await App.User(crew.Admin).Post($"{crew.Url}/invites", new { }).Problem(HttpStatusCode.Conflict, "community_inactive");
        Assert.False(await App.Db(db => db.Invites.AnyAsync(i => i.CommunityId == crew.Community, Ct)));
    }

    // ---- preview -------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task AnyUserHoldingTheCodePreviewsEvenAPrivateCommunity()
    {
        var owner = await App.HubUser();
        var community = await App.CommunityOwnedBy(owner, isPublic: false);
        await App.Service().Patch($"/api/v1/communities/{community}", new { display_name = "The Pond", avatar_url = "https://example.com/p.png" }).Data();
        await App.NewMember(community);
        var code = await App.InviteCode(community, new { expires_in_seconds = 600 });
        var outsider = await App.HubUser();
        await (await App.User(outsider).GetAsync($"/api/v1/communities/{community}", Ct)).Problem(HttpStatusCode.NotFound, "community_not_found");

        var preview = await App.PreviewInvite(outsider, code).Data();

        Assert.Equal(code, preview.Str("code"));
        var shown = preview.GetProperty("community");
        Assert.Equal(community, shown.Long("id"));
        Assert.StartsWith("c-", shown.Str("name"));
        Assert.Equal("The Pond", shown.Str("display_name"));
        Assert.Equal("https://example.com/p.png", shown.Str("avatar_url"));
        Assert.Equal(2, shown.Int("member_count"));
        Assert.Equal((await App.StoredInvite(code)).ExpiresAt, preview.GetProperty("expires_at").GetDateTime());
        Assert.Equal(0, (await App.StoredInvite(code)).Uses);
    }

    [Fact]
    public async Task UnknownRevokedExpiredUsedUpAndMalformedCodesAllGetTheSame404()
    {
        var community = await App.CommunityOwnedBy(await App.HubUser());
        var revoked = await App.InviteCode(community);
        await App.Service().DeleteAsync($"/api/v1/communities/{community}/invites/{revoked}", Ct).Data();
        var usedUp = await App.InviteCode(community, new { max_uses = 1 });
        await App.AcceptInvite(await App.HubUser(), usedUp).Data(HttpStatusCode.Created);
        var expired = await App.InviteCode(community, new { expires_in_seconds = 60 });
        App.Clock.Advance(TimeSpan.FromSeconds(61));
        string[] dead = [InviteCodes.New(), revoked, usedUp, expired, "short", "has-a-dash-12", new string('a', 33), "\u202Eabcdefghijk", "abcdefghijk\u00e9"];
        var caller = await App.HubUser();

        var previews = new List<string>();
        var accepts = new List<string>();
        foreach (var code in dead)
        {
            previews.Add(Comparable(await App.PreviewInvite(caller, code).Problem(HttpStatusCode.NotFound, "invite_not_found")));
            accepts.Add(Comparable(await App.AcceptInvite(caller, code).Problem(HttpStatusCode.NotFound, "invite_not_found")));
        }

        Assert.Single(previews.Distinct());
        Assert.Equal(previews[0], Assert.Single(accepts.Distinct()));
        Assert.False(await App.Db(db => db.Members.AnyAsync(m => m.HubUserId == caller, Ct)));
        Assert.Equal(1, (await App.StoredInvite(usedUp)).Uses);
    }

    /// <summary>A problem without its per-request <c>trace_id</c>: what a caller could compare between answers.</summary>
    private static string Comparable(JsonElement problem) =>
        string.Join(",", problem.EnumerateObject().Where(p => p.Name != "trace_id").Select(p => $"{p.Name}={p.Value.GetRawText()}"));

    [Fact]
    public async Task ServicesNeitherPreviewNorAccept()
    {
        var community = await App.CommunityOwnedBy(await App.HubUser());
        var code = await App.InviteCode(community);

        await App.Service().GetAsync($"/api/v1/invites/{code}", Ct).Problem(HttpStatusCode.Forbidden, "forbidden");
        await App.Service().PostAsync($"/api/v1/invites/{code}/accept", null, Ct).Problem(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(0, (await App.StoredInvite(code)).Uses);
    }

    // ---- accept --------------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("open")]
    [InlineData("approval")]
    [InlineData("invite")]
    public async Task AcceptingJoinsInEveryJoinModeAndUsesOneUse(string joinMode)
    {
        var crew = await App.Crew();
        await App.Settings(crew.Community, new Dictionary<string, object?> { ["join_mode"] = joinMode });
        var code = (await App.User(crew.Moderator).Invite(crew.Community, new { max_uses = 2 })).Str("code");
        var user = await App.HubUser();
        var count = await App.MemberCount(crew.Community);

        var response = await App.AcceptInvite(user, code);

        var member = await response.Data(HttpStatusCode.Created);
        Assert.Equal($"/api/v1/communities/{crew.Community}/members/{user}", response.Headers.Location?.OriginalString);
        Assert.Equal((crew.Community, user, "member", "active", 600), (member.Long("community_id"), member.Long("hub_user_id"), member.Str("role"), member.Str("status"), member.Int("reputation")));
        Assert.Equal(1, (await App.StoredInvite(code)).Uses);
        Assert.Equal(count + 1, await App.MemberCount(crew.Community));
        var joined = Assert.Single(await App.EventData(crew.Community, "member.joined", user));
        Assert.Equal(code, joined.Str("invite_code"));
        var audit = await App.Db(db => db.AuditLog.AsNoTracking().SingleAsync(a => a.CommunityId == crew.Community && a.Action == "member.joined" && a.TargetId == user.ToString(), Ct));
        Assert.Equal(("user", user.ToString()), (audit.ActorType, audit.ActorId));
        Assert.False(await App.Db(db => db.JoinRequests.AnyAsync(r => r.HubUserId == user, Ct)));
    }

    [Fact]
    public async Task AnInvitationOnlyCommunityRefusesSelfJoinsAndPointsAtInvites()
    {
        var community = await App.CommunityOwnedBy(await App.HubUser());
        await App.Settings(community, new Dictionary<string, object?> { ["join_mode"] = "invite" });
        var user = await App.HubUser();

        var refusal = await App.User(user).Post($"/api/v1/communities/{community}/members", new { }).Problem(HttpStatusCode.Forbidden, "forbidden");

        Assert.Contains("/api/v1/invites/{code}/accept", refusal.Str("detail"));
        await App.AcceptInvite(user, await App.InviteCode(community)).Data(HttpStatusCode.Created);
    }

    [Fact]
    public async Task AnActiveMemberAcceptingHears200AndUsesNothing()
    {
        var crew = await App.Crew();
        var code = await App.InviteCode(crew.Community, new { max_uses = 1 });
        var count = await App.MemberCount(crew.Community);

        foreach (var user in new[] { crew.Member, crew.Owner })
        {
            var member = await App.AcceptInvite(user, code).Data();
            Assert.Equal(user, member.Long("hub_user_id"));
        }

        Assert.Equal(0, (await App.StoredInvite(code)).Uses);
        Assert.Equal(count, await App.MemberCount(crew.Community));
        Assert.Equal("owner", (await App.Member(crew.Community, crew.Owner)).Str("role"));
        Assert.Empty(await App.Db(db => db.Events.Where(e => e.CommunityId == crew.Community && e.DataJson.Contains(code) && e.Type == "member.joined").ToListAsync(Ct)));
    }

    [Fact]
    public async Task AMemberWhoLeftRejoinsWithAnInviteKeepingItsReputation()
    {
        var crew = await App.Crew();
        await App.SetReputation(crew.Community, crew.Member, 700);
        await App.User(crew.Member).DeleteAsync($"{crew.Url}/members/{crew.Member}", Ct).Data();
        var code = await App.InviteCode(crew.Community);

        var member = await App.AcceptInvite(crew.Member, code).Data(HttpStatusCode.Created);

        Assert.Equal(("active", 700), (member.Str("status"), member.Int("reputation")));
        Assert.Equal(1, (await App.StoredInvite(code)).Uses);
    }

    [Fact]
    public async Task ABannedUserIsRefusedAndUsesNothingUntilUnbanned()
    {
        var community = await App.CommunityOwnedBy(await App.HubUser());
        var user = await App.HubUser();
        await App.BanByService(community, user);
        var code = await App.InviteCode(community, new { max_uses = 1 });

        await App.AcceptInvite(user, code).Problem(HttpStatusCode.Forbidden, "member_banned");
        Assert.Equal(0, (await App.StoredInvite(code)).Uses);
        Assert.Equal("banned", (await App.Member(community, user)).Str("status"));

        await App.Service().DeleteAsync($"/api/v1/communities/{community}/members/{user}/ban", Ct).Data();
        await App.AcceptInvite(user, code).Data(HttpStatusCode.Created);
        Assert.Equal(1, (await App.StoredInvite(code)).Uses);
    }

    [Fact]
    public async Task ABanOnAnAccountMergedIntoTheCallerHoldsAgainstTheInvite()
    {
        var community = await App.CommunityOwnedBy(await App.HubUser());
        var account = Unique("acct");
        var banned = (await App.Service().Post("/api/v1/identities/resolve", new { platform = "twitch", platform_user_id = account }).Data()).Long("hub_user_id");
        await App.BanByService(community, banned);
        var caller = await App.HubUser();
        await App.Service().Post($"/api/v1/users/{caller}/identities", new { platform = "twitch", platform_user_id = account, merge = true }).Data();

        await App.AcceptInvite(caller, await App.InviteCode(community)).Problem(HttpStatusCode.Forbidden, "member_banned");
    }

    [Fact]
    public async Task AnInviteOfADeactivatedCommunityIs409ToPreviewAndAccept()
    {
        var community = await App.CommunityOwnedBy(await App.HubUser());
        var code = await App.InviteCode(community);
        await App.Service().DeleteAsync($"/api/v1/communities/{community}", Ct).Data();
        var user = await App.HubUser();

        await App.PreviewInvite(user, code).Problem(HttpStatusCode.Conflict, "community_inactive");
        await App.AcceptInvite(user, code).Problem(HttpStatusCode.Conflict, "community_inactive");
        Assert.Equal(0, (await App.StoredInvite(code)).Uses);
        Assert.False(await App.Db(db => db.Members.AnyAsync(m => m.HubUserId == user, Ct)));
    }

    [Fact]
    public async Task TheLastUseAdmitsOneUserAndThenTheCodeIsGone()
    {
        var community = await App.CommunityOwnedBy(await App.HubUser());
        var code = await App.InviteCode(community, new { max_uses = 2 });
        long first = await App.HubUser(), second = await App.HubUser(), third = await App.HubUser();

        await App.AcceptInvite(first, code).Data(HttpStatusCode.Created);
        await App.PreviewInvite(third, code).Data();
        await App.AcceptInvite(second, code).Data(HttpStatusCode.Created);

        await App.PreviewInvite(third, code).Problem(HttpStatusCode.NotFound, "invite_not_found");
        await App.AcceptInvite(third, code).Problem(HttpStatusCode.NotFound, "invite_not_found");
        Assert.Equal(2, (await App.StoredInvite(code)).Uses);
        Assert.False(await App.Db(db => db.Members.AnyAsync(m => m.HubUserId == third, Ct)));
        // A used-up code is dead for everyone, the members it admitted included.
        await App.AcceptInvite(first, code).Problem(HttpStatusCode.NotFound, "invite_not_found");
    }

    [Fact]
    public async Task AnInviteAdmitsUntilItExpires()
    {
        var community = await App.CommunityOwnedBy(await App.HubUser());
        var code = await App.InviteCode(community, new { expires_in_seconds = 120 });
        App.Clock.Advance(TimeSpan.FromSeconds(110));
        await App.AcceptInvite(await App.HubUser(), code).Data(HttpStatusCode.Created);

        App.Clock.Advance(TimeSpan.FromSeconds(11));

        await App.AcceptInvite(await App.HubUser(), code).Problem(HttpStatusCode.NotFound, "invite_not_found");
        Assert.Equal(1, (await App.StoredInvite(code)).Uses);
    }

    [Fact]
    public async Task AHubUserUnknownHereCannotAccept()
    {
        var community = await App.CommunityOwnedBy(await App.HubUser());
        var code = await App.InviteCode(community);

        await App.AcceptInvite(987_654_321, code).Problem(HttpStatusCode.NotFound, "user_not_found");
        Assert.Equal(0, (await App.StoredInvite(code)).Uses);
    }

    // ---- list and revoke -----------------------------------------------------------------------------------------------

    [Fact]
    public async Task TheListShowsActiveInvitesFirstWithTheirUsesPageByPage()
    {
        var crew = await App.Crew();
        var revoked = await App.InviteCode(crew.Community);
        var expired = await App.InviteCode(crew.Community, new { expires_in_seconds = 60 });
        var usedUp = await App.InviteCode(crew.Community, new { max_uses = 1 });
        var halfUsed = await App.InviteCode(crew.Community, new { max_uses = 2 });
        var unused = await App.InviteCode(crew.Community);
        await App.Service().DeleteAsync($"{crew.Url}/invites/{revoked}", Ct).Data();
        await App.AcceptInvite(await App.HubUser(), usedUp).Data(HttpStatusCode.Created);
        await App.AcceptInvite(await App.HubUser(), halfUsed).Data(HttpStatusCode.Created);
        App.Clock.Advance(TimeSpan.FromSeconds(61));
        var moderator = App.User(crew.Moderator);

        var all = await moderator.GetAsync($"{crew.Url}/invites", Ct).Data();
        Assert.Equal([unused, halfUsed, usedUp, expired, revoked], all.EnumerateArray().Select(i => i.Str("code")));
        Assert.Equal([true, true, false, false, false], all.EnumerateArray().Select(i => i.Bool("is_active")));
        Assert.Equal([0, 1, 1, 0, 0], all.EnumerateArray().Select(i => i.Int("uses")));

        var paged = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var body = await (await moderator.GetAsync($"{crew.Url}/invites?limit=2{(cursor is null ? "" : $"&cursor={cursor}")}", Ct)).Json();
            paged.AddRange(body.GetProperty("data").EnumerateArray().Select(i => i.Str("code")));
            cursor = body.GetProperty("meta").GetProperty("next_cursor").GetString();
            pages++;
        } while (cursor is not null);
        Assert.Equal([unused, halfUsed, usedUp, expired, revoked], paged);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task ACursorOfAnotherCommunitysListIsRefused()
    {
        var crew = await App.Crew();
        var other = await App.CommunityOwnedBy(await App.HubUser());
        for (var i = 0; i < 2; i++) { await App.InviteCode(crew.Community); await App.InviteCode(other); }
        var page = await (await App.Service().GetAsync($"/api/v1/communities/{other}/invites?limit=1", Ct)).Json();
        var cursor = page.GetProperty("meta").GetProperty("next_cursor").GetString();

        await App.Service().GetAsync($"{crew.Url}/invites?cursor={cursor}", Ct).Problem(HttpStatusCode.BadRequest, "invalid_cursor");
        await App.Service().GetAsync($"{crew.Url}/invites?cursor=AAAA", Ct).Problem(HttpStatusCode.BadRequest, "invalid_cursor");
    }

    [Fact]
    public async Task AModeratorRevokesOnlyItsOwnInvitesAndAnAdminAnyone()
    {
        var crew = await App.Crew();
        var otherModerator = await App.NewMember(crew.Community, "moderator");
        var mine = (await App.User(crew.Moderator).Invite(crew.Community)).Str("code");
        var theirs = (await App.User(otherModerator).Invite(crew.Community)).Str("code");
        var services = await App.InviteCode(crew.Community);

        await (await App.User(crew.Moderator).DeleteAsync($"{crew.Url}/invites/{theirs}", Ct)).InsufficientRole("moderator", "admin");
        await (await App.User(crew.Moderator).DeleteAsync($"{crew.Url}/invites/{services}", Ct)).InsufficientRole("moderator", "admin");
        var revoked = await App.User(crew.Moderator).DeleteAsync($"{crew.Url}/invites/{mine}", Ct).Data();
        Assert.False(revoked.Bool("is_active"));
        Assert.NotEqual(JsonValueKind.Null, revoked.GetProperty("revoked_at").ValueKind);
        await App.User(crew.Admin).DeleteAsync($"{crew.Url}/invites/{theirs}", Ct).Data();
        await App.Service(TestKeys.MembersOnly).DeleteAsync($"{crew.Url}/invites/{services}", Ct).Data();

        foreach (var code in new[] { mine, theirs, services })
            await App.AcceptInvite(await App.HubUser(), code).Problem(HttpStatusCode.NotFound, "invite_not_found");
        var events = await App.EventData(crew.Community, "invite.revoked");
        Assert.Equal([mine, theirs, services], events.Select(e => e.GetProperty("invite").Str("code")));
        var actors = await App.Db(db => db.AuditLog.Where(a => a.CommunityId == crew.Community && a.Action == "invite.revoked").OrderBy(a => a.Id)
            .Select(a => a.ActorType + ":" + a.ActorId).ToListAsync(Ct));
        Assert.Equal([$"user:{crew.Moderator}", $"user:{crew.Admin}", "service:test-members"], actors);
    }

    [Fact]
    public async Task RevokingTwiceAnswersTheInviteAndRecordsOnce()
    {
        var community = await App.CommunityOwnedBy(await App.HubUser());
        var code = await App.InviteCode(community);
        var url = $"/api/v1/communities/{community}/invites/{code}";

        var first = await App.Service().DeleteAsync(url, Ct).Data();
        var second = await App.Service().DeleteAsync(url, Ct).Data();

        Assert.Equal(first.Str("revoked_at"), second.Str("revoked_at"));
        Assert.Single(await App.EventData(community, "invite.revoked"));
    }

    [Fact]
    public async Task RevokingACodeOfAnotherCommunityOrNoneIs404()
    {
        var community = await App.CommunityOwnedBy(await App.HubUser());
        var other = await App.CommunityOwnedBy(await App.HubUser());
        var code = await App.InviteCode(other);

        await App.Service().DeleteAsync($"/api/v1/communities/{community}/invites/{code}", Ct).Problem(HttpStatusCode.NotFound, "invite_not_found");
        await App.Service().DeleteAsync($"/api/v1/communities/{community}/invites/{InviteCodes.New()}", Ct).Problem(HttpStatusCode.NotFound, "invite_not_found");
        await App.Service().DeleteAsync($"/api/v1/communities/{community}/invites/x%20y", Ct).Problem(HttpStatusCode.NotFound, "invite_not_found");
        Assert.Null((await App.StoredInvite(code)).RevokedAt);
    }

    [GeneratedRegex("^[A-Za-z0-9]{12}$")]
    private static partial Regex CodeShape();
}

public sealed class InviteTestsOnSqlite(SqliteApp app) : InviteTests(app), IClassFixture<SqliteApp>;

public sealed class InviteTestsOnPostgres(PostgresApp app) : InviteTests(app), IClassFixture<PostgresApp>;
