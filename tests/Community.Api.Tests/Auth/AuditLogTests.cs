using System.Net;
using System.Text.Json;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Auth;

/// <summary>The audit log: who (a service key's name or a hub user's id) did what to whom, with before and after, newest first.</summary>
public abstract class AuditLogTests(TestApp app) : ApiTest(app)
{
    [Fact]
    public async Task WritesAppearNewestFirstWithActorActionTargetAndBeforeAfter()
    {
        long owner = await App.HubUser(), admin = await App.HubUser(), moderator = await App.HubUser(),
            target = await App.HubUser(), promoted = await App.HubUser();
        var community = (await (await App.User(owner).Post("/api/v1/communities", new { name = Unique("audited") })).Data(HttpStatusCode.Created)).Long("id");
        var url = $"/api/v1/communities/{community}";
        var service = App.Service();
        foreach (var (user, role) in new[] { (admin, "admin"), (moderator, "moderator"), (target, "member"), (promoted, "member") })
            await (await service.Post($"{url}/members", new { hub_user_id = user, role })).Data(HttpStatusCode.Created);
        await (await App.User(admin).Patch(url, new { description = "ducks" })).Data();
        await (await App.User(owner).Put($"{url}/members/{promoted}/role", new { role = "moderator" })).Data();
        await (await App.User(moderator).Post($"{url}/members/{target}/ban", new { reason = "spam" })).Data();
        await (await App.User(admin).Patch($"{url}/settings", new Dictionary<string, object> { ["command_prefix"] = "?" })).Data();
        var connection = (await App.Connect(community, "twitch")).Long("id");

        var log = (await (await App.User(admin).GetAsync($"{url}/audit-log", Ct)).Data()).EnumerateArray().ToList();

        string U(long id) => id.ToString();
        Assert.Equal(
        [
            ("platform.connected", "service", "test-admin", "platform", U(connection)),
            ("settings.updated", "user", U(admin), "settings", U(community)),
            ("member.banned", "user", U(moderator), "member", U(target)),
            ("member.role_changed", "user", U(owner), "member", U(promoted)),
            ("community.updated", "user", U(admin), "community", U(community)),
            ("member.joined", "service", "test-admin", "member", U(promoted)),
            ("member.joined", "service", "test-admin", "member", U(target)),
            ("member.joined", "service", "test-admin", "member", U(moderator)),
            ("member.joined", "service", "test-admin", "member", U(admin)),
            ("community.created", "user", U(owner), "community", U(community)),
        ], log.Select(e => (e.Str("action"), e.GetProperty("actor").Str("type"), e.GetProperty("actor").Str("id"),
            e.GetProperty("target").Str("type"), e.GetProperty("target").Str("id"))));
        Assert.All(log, e => Assert.Equal(community, e.Long("community_id")));
        Assert.Equal(log.Select(e => e.Long("id")).OrderDescending(), log.Select(e => e.Long("id")));
        Assert.Equal(log.Select(e => e.GetProperty("occurred_at").GetDateTime()).OrderDescending(), log.Select(e => e.GetProperty("occurred_at").GetDateTime()));

        var (connected, settings, banned, roleChanged, updated, created) = (log[0], log[1], log[2], log[3], log[4], log[9]);
        Assert.Equal(JsonValueKind.Null, connected.GetProperty("before").ValueKind);
        Assert.Equal("twitch", connected.GetProperty("after").Str("platform"));
        Assert.Equal("!", settings.GetProperty("before").Str("command_prefix"));
        Assert.Equal("?", settings.GetProperty("after").Str("command_prefix"));
        Assert.Equal(("active", "banned"), (banned.GetProperty("before").Str("status"), banned.GetProperty("after").Str("status")));
        Assert.Equal("spam", banned.GetProperty("after").GetProperty("ban").Str("reason"));
        Assert.Equal(("member", "moderator"), (roleChanged.GetProperty("before").Str("role"), roleChanged.GetProperty("after").Str("role")));
        Assert.Equal(JsonValueKind.Null, updated.GetProperty("before").GetProperty("description").ValueKind);
        Assert.Equal("ducks", updated.GetProperty("after").Str("description"));
        Assert.Equal(JsonValueKind.Null, created.GetProperty("before").ValueKind);
        Assert.Equal(owner, created.GetProperty("after").Long("owner_id"));
    }

    [Fact]
    public async Task AJoinRequestIsAuditedWithItsIdAndTheApprovalWithTheAdmin()
    {
        var crew = await App.Crew();
        await App.Settings(crew.Community, new Dictionary<string, object> { ["join_mode"] = "approval" });
        var userId = await App.HubUser();
        var requestId = (await (await App.User(userId).Post($"{crew.Url}/members", new { })).Data(HttpStatusCode.Accepted)).Long("id");
        await (await App.User(crew.Admin).Post($"{crew.Url}/join-requests/{requestId}/approve", new { })).Data();

        var log = (await (await App.User(crew.Admin).GetAsync($"{crew.Url}/audit-log?limit=2", Ct)).Data()).EnumerateArray().ToList();
        Assert.Equal(["member.joined", "member.join_requested"], log.Select(e => e.Str("action")));
        var (joined, filed) = (log[0], log[1]);
        Assert.Equal(("user", crew.Admin.ToString()), (joined.GetProperty("actor").Str("type"), joined.GetProperty("actor").Str("id")));
        Assert.Equal(userId.ToString(), joined.GetProperty("target").Str("id"));
        Assert.Equal(("user", userId.ToString()), (filed.GetProperty("actor").Str("type"), filed.GetProperty("actor").Str("id")));
        Assert.Equal(("join_request", requestId.ToString()), (filed.GetProperty("target").Str("type"), filed.GetProperty("target").Str("id")));
        Assert.Equal(requestId, filed.GetProperty("after").Long("id"));
        var requested = Assert.Single(await App.Events(crew.Community, "member.join_requested"));
        Assert.Contains($"\"id\":{requestId},", requested.DataJson);
    }

    [Fact]
    public async Task AdminsOfTheCommunityReadItModeratorsAndOutsidersDoNot()
    {
        var crew = await App.Crew();
        var log = $"{crew.Url}/audit-log";
        await (await App.User(crew.Admin).GetAsync(log, Ct)).Data();
        await (await App.User(crew.Owner).GetAsync(log, Ct)).Data();
        await (await App.User(await App.HubUser(), superAdmin: true).GetAsync(log, Ct)).Data();
        await (await App.Service(TestKeys.ReadOnly).GetAsync(log, Ct)).Data();

        await (await App.User(crew.Moderator).GetAsync(log, Ct)).InsufficientRole("moderator", "admin");
        await (await App.User(crew.Member).GetAsync(log, Ct)).InsufficientRole("member", "admin");
        await (await App.Service(TestKeys.NoScopes).GetAsync(log, Ct)).Problem(HttpStatusCode.Forbidden, "forbidden");
        await (await App.Anonymous().GetAsync(log, Ct)).Problem(HttpStatusCode.Unauthorized, "unauthorized");

        var elsewhere = await App.Crew();
        await (await App.User(elsewhere.Admin).GetAsync(log, Ct)).InsufficientRole(null, "admin");
        var hidden = await App.Crew(isPublic: false);
        await (await App.User(elsewhere.Admin).GetAsync($"{hidden.Url}/audit-log", Ct)).Problem(HttpStatusCode.NotFound, "community_not_found");
        // An admin reads its own community's log only: the other crew's entries are not in it.
        var own = await (await App.User(elsewhere.Admin).GetAsync($"{elsewhere.Url}/audit-log", Ct)).Data();
        Assert.All(own.EnumerateArray(), e => Assert.Equal(elsewhere.Community, e.Long("community_id")));
    }

    [Fact]
    public async Task PagingWalksEveryEntryOnceNewestFirst()
    {
        var crew = await App.Crew();
        foreach (var prefix in new[] { "?", "#", "$", "%", "&" })
            await App.Settings(crew.Community, new Dictionary<string, object> { ["command_prefix"] = prefix });
        var admin = App.User(crew.Admin);
        var all = (await (await admin.GetAsync($"{crew.Url}/audit-log?limit=200", Ct)).Data()).EnumerateArray().Select(e => e.Long("id")).ToList();
        Assert.Equal(1 + 3 + 2 + 5, all.Count); // created; admin, moderator, member joined; two role changes; five settings changes

        var walked = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await (await admin.GetAsync($"{crew.Url}/audit-log?limit=4{(cursor is null ? "" : $"&cursor={cursor}")}", Ct)).Json();
            var items = page.GetProperty("data").EnumerateArray().Select(e => e.Long("id")).ToList();
            Assert.InRange(items.Count, 1, 4);
            walked.AddRange(items);
            cursor = page.GetProperty("meta").GetProperty("next_cursor").GetString();
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(all, walked);
        var settings = await (await admin.GetAsync($"{crew.Url}/audit-log?action=settings.updated", Ct)).Data();
        Assert.Equal(5, settings.GetArrayLength());
        await (await admin.GetAsync($"{crew.Url}/audit-log?cursor=not-a-cursor", Ct)).Problem(HttpStatusCode.BadRequest, "invalid_cursor");
        await (await admin.GetAsync($"{crew.Url}/audit-log?limit=0", Ct)).Problem(HttpStatusCode.BadRequest, "validation_failed");
    }
}

public sealed class AuditLogTestsOnSqlite(SqliteApp app) : AuditLogTests(app), IClassFixture<SqliteApp>;

public sealed class AuditLogTestsOnPostgres(PostgresApp app) : AuditLogTests(app), IClassFixture<PostgresApp>;
