using System.Net;
using System.Text.Json;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Tests.Identities;

/// <summary>Hub users and the platform accounts that resolve to them.</summary>
public abstract class IdentityTests(TestApp app) : ApiTest(app)
{
    [Fact]
    public async Task ResolveCreatesTheUserOnceThenFindsIt()
    {
        var account = Unique("acct");

        var first = await Resolve("twitch", account, "Quacker");
        var second = await Resolve("twitch", account, "Quacker");

        Assert.True(first.Bool("created"));
        Assert.False(second.Bool("created"));
        Assert.Equal(first.Long("hub_user_id"), second.Long("hub_user_id"));
        var user = second.GetProperty("user");
        Assert.Equal("Quacker", user.Str("username"));
        Assert.True(user.Bool("is_active"));
        var identity = Assert.Single(user.GetProperty("identities").EnumerateArray());
        Assert.Equal(("twitch", account, "Quacker", true), (identity.Str("platform"), identity.Str("platform_user_id"), identity.Str("platform_username"), identity.Bool("is_primary")));
        Assert.Single(await UserCreatedEvents(first.Long("hub_user_id")));
    }

    [Fact]
    public async Task ResolveRefreshesTheUsernameWhenThePlatformNameChanges()
    {
        var account = Unique("acct");
        var hubUserId = (await Resolve("twitch", account, "OldName")).Long("hub_user_id");

        var renamed = await Resolve("twitch", account, "NewName");

        Assert.Equal(hubUserId, renamed.Long("hub_user_id"));
        Assert.False(renamed.Bool("created"));
        Assert.Equal("NewName", renamed.GetProperty("user").Str("username"));
        Assert.Equal("NewName", renamed.GetProperty("user").GetProperty("identities")[0].Str("platform_username"));
        Assert.Equal("NewName", (await App.Service().GetAsync($"/api/v1/users/{hubUserId}", Ct).Data()).Str("username"));
    }

    [Fact]
    public async Task AUserCreatedWithoutANameTakesThePlatformNameWhenItArrives()
    {
        var account = Unique("anon");
        var created = await App.Service().Post("/api/v1/identities/resolve", new { platform = "twitch", platform_user_id = account }).Data();
        Assert.Equal($"twitch:{account}", created.GetProperty("user").Str("username"));

        var named = await Resolve("twitch", account, "Finally");

        Assert.Equal("Finally", named.GetProperty("user").Str("username"));
        Assert.Equal("Finally", named.GetProperty("user").GetProperty("identities")[0].Str("platform_username"));
    }

    [Fact]
    public async Task AnotherAccountWithTheSameNameIsAnotherUser()
    {
        var name = Unique("Same");
        var first = await Resolve("twitch", Unique("a"), name);

        var second = await Resolve("twitch", Unique("b"), name);

        Assert.True(second.Bool("created"));
        Assert.NotEqual(first.Long("hub_user_id"), second.Long("hub_user_id"));
    }

    [Fact]
    public async Task AnAccountIsFoundByPlatformAndId()
    {
        var account = Unique("acct");
        var hubUserId = (await Resolve("kick", account, "Kicker")).Long("hub_user_id");

        var user = await App.Service().GetAsync($"/api/v1/identities/kick/{account}", Ct).Data();

        Assert.Equal(hubUserId, user.Long("id"));
        await App.Service().GetAsync($"/api/v1/identities/twitch/{account}", Ct).Problem(HttpStatusCode.NotFound, "identity_not_found");
        await App.Service().GetAsync($"/api/v1/identities/kick/{Unique("none")}", Ct).Problem(HttpStatusCode.NotFound, "identity_not_found");
        await App.Service().GetAsync($"/api/v1/identities/myspace/{account}", Ct).Problem(HttpStatusCode.BadRequest, "unsupported_platform");
    }

    [Fact]
    public async Task CreatingAUserReturns201WithItsLocation()
    {
        var name = Unique("hubby");

        var response = await App.Service().Post("/api/v1/users", new { username = $"  {name} ", email = "hub@example.org" });
        var user = await response.Data(HttpStatusCode.Created);

        Assert.Equal(name, user.Str("username"));
        Assert.Equal("hub@example.org", user.Str("email"));
        Assert.Empty(user.GetProperty("identities").EnumerateArray());
        Assert.Equal($"/api/v1/users/{user.Long("id")}", response.Headers.Location!.OriginalString);
        Assert.Single(await UserCreatedEvents(user.Long("id")));
    }

    [Fact]
    public async Task CreatingAUserValidatesUsernameAndEmail()
    {
        var missing = await App.Service().Post("/api/v1/users", new { email = "a@b.org" }).Problem(HttpStatusCode.BadRequest, "validation_failed");
        var blank = await App.Service().Post("/api/v1/users", new { username = "   " }).Problem(HttpStatusCode.BadRequest, "validation_failed");
        var tooLong = await App.Service().Post("/api/v1/users", new { username = new string('x', 101) }).Problem(HttpStatusCode.BadRequest, "validation_failed");
        var email = await App.Service().Post("/api/v1/users", new { username = "ok", email = "not-an-email" }).Problem(HttpStatusCode.BadRequest, "validation_failed");

        foreach (var problem in new[] { missing, blank, tooLong })
            Assert.True(problem.GetProperty("errors").TryGetProperty("username", out _));
        Assert.True(email.GetProperty("errors").TryGetProperty("email", out _));
    }

    [Fact]
    public async Task GettingAUserShowsItsIdentities()
    {
        var account = Unique("acct");
        var hubUserId = (await Resolve("youtube", account, "Tuber")).Long("hub_user_id");

        var user = await App.Service().GetAsync($"/api/v1/users/{hubUserId}", Ct).Data();

        Assert.Equal("Tuber", user.Str("username"));
        Assert.Equal(account, Assert.Single(user.GetProperty("identities").EnumerateArray()).Str("platform_user_id"));
        await App.Service().GetAsync("/api/v1/users/987654321", Ct).Problem(HttpStatusCode.NotFound, "user_not_found");
    }

    [Fact]
    public async Task AUsersCommunitiesAreItsActiveMembershipsWithRole()
    {
        var (first, firstChannel) = await App.ConnectedCommunity();
        var (second, secondChannel) = await App.ConnectedCommunity();
        var (third, thirdChannel) = await App.ConnectedCommunity();
        var account = Unique("social");
        var hubUserId = (await App.Join(firstChannel, account)).Long("hub_user_id");
        await App.Join(secondChannel, account);
        await App.Join(thirdChannel, account);
        await App.Service().Put($"/api/v1/communities/{second}/members/{hubUserId}/role", new { role = "moderator" }).Data();
        await App.Leave(thirdChannel, account);

        var communities = (await App.Service().GetAsync($"/api/v1/users/{hubUserId}/communities", Ct).Data()).EnumerateArray()
            .Select(c => (c.Long("community_id"), c.Str("role"))).ToList();

        Assert.Equal([(first, "member"), (second, "moderator")], communities);
        Assert.DoesNotContain(third, communities.Select(c => c.Item1));
    }

    [Fact]
    public async Task LinkingIs201ThenIdempotent200()
    {
        var hubUserId = (await Resolve("twitch", Unique("main"), "Main")).Long("hub_user_id");
        var discord = Unique("alt");

        var linked = await Link(hubUserId, "discord", discord).Data(HttpStatusCode.Created);
        var again = await Link(hubUserId, "discord", discord).Data();

        Assert.Equal(2, linked.GetProperty("identities").GetArrayLength());
        Assert.Equal(2, again.GetProperty("identities").GetArrayLength());
        Assert.Equal(hubUserId, (await App.Service().GetAsync($"/api/v1/identities/discord/{discord}", Ct).Data()).Long("id"));
        Assert.Single(await IdentityEvents("identity.linked", hubUserId));
    }

    [Fact]
    public async Task LinkingAnAccountOfAnotherUserIsRefused()
    {
        var mine = (await Resolve("twitch", Unique("mine"), "Mine")).Long("hub_user_id");
        var theirs = Unique("theirs");
        var owner = (await Resolve("twitch", theirs, "Theirs")).Long("hub_user_id");

        await Link(mine, "twitch", theirs).Problem(HttpStatusCode.Conflict, "identity_linked_elsewhere");

        Assert.Equal(owner, (await App.Service().GetAsync($"/api/v1/identities/twitch/{theirs}", Ct).Data()).Long("id"));
        Assert.Empty(await IdentityEvents("identity.linked", mine));
    }

    [Fact]
    public async Task UnlinkingAnnouncesItAndFreesTheAccountForAnotherUser()
    {
        var account = Unique("moving");
        var first = (await Resolve("twitch", account, "Mover")).Long("hub_user_id");
        var second = (await Resolve("twitch", Unique("other"), "Other")).Long("hub_user_id");

        var after = await App.Service().DeleteAsync($"/api/v1/users/{first}/identities/twitch/{account}", Ct).Data();

        Assert.Empty(after.GetProperty("identities").EnumerateArray());
        var e = Assert.Single(await IdentityEvents("identity.unlinked", first));
        Assert.Equal(account, e.GetProperty("identity").Str("platform_user_id"));
        await App.Service().GetAsync($"/api/v1/identities/twitch/{account}", Ct).Problem(HttpStatusCode.NotFound, "identity_not_found");
        await Link(second, "twitch", account).Data(HttpStatusCode.Created);
        Assert.Equal(second, (await App.Service().GetAsync($"/api/v1/identities/twitch/{account}", Ct).Data()).Long("id"));
        await App.Service().DeleteAsync($"/api/v1/users/{first}/identities/twitch/{account}", Ct).Problem(HttpStatusCode.NotFound, "identity_not_found");
        Assert.Single(await IdentityEvents("identity.unlinked", first));
    }

    [Fact]
    public async Task AUserMayReadItselfButNoOtherUser()
    {
        var me = (await Resolve("twitch", Unique("me"), "Me")).Long("hub_user_id");
        var other = (await Resolve("twitch", Unique("you"), "You")).Long("hub_user_id");
        var client = App.User(me);

        Assert.Equal(me, (await client.GetAsync($"/api/v1/users/{me}", Ct).Data()).Long("id"));
        await client.GetAsync($"/api/v1/users/{me}/communities", Ct).Data();
        await client.GetAsync($"/api/v1/users/{other}", Ct).Problem(HttpStatusCode.Forbidden, "forbidden");
        await client.GetAsync($"/api/v1/users/{other}/communities", Ct).Problem(HttpStatusCode.Forbidden, "forbidden");
        await client.Post("/api/v1/identities/resolve", new { platform = "twitch", platform_user_id = Unique("x") }).Problem(HttpStatusCode.Forbidden, "forbidden");
        await client.Post($"/api/v1/users/{me}/identities", new { platform = "twitch", platform_user_id = Unique("x") }).Problem(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task AnIdentityWriteWhoseEventCannotBeStoredChangesNothing()
    {
        var account = Unique("atomic");
        var name = Unique("nobody");
        await using (await App.RefuseEvents("user.created"))
        {
            Assert.False((await App.Service().Post("/api/v1/identities/resolve", new { platform = "twitch", platform_user_id = account, platform_username = name })).IsSuccessStatusCode);
            Assert.False((await App.Service().Post("/api/v1/users", new { username = name })).IsSuccessStatusCode);
        }
        Assert.Equal(0, await App.Db(db => db.HubUsers.CountAsync(u => u.Username == name, Ct)));
        await App.Service().GetAsync($"/api/v1/identities/twitch/{account}", Ct).Problem(HttpStatusCode.NotFound, "identity_not_found");

        var hubUserId = (await Resolve("twitch", account, name)).Long("hub_user_id");
        var alt = Unique("alt");
        await using (await App.RefuseEvents("identity.linked"))
            Assert.False((await Link(hubUserId, "discord", alt)).IsSuccessStatusCode);
        await App.Service().GetAsync($"/api/v1/identities/discord/{alt}", Ct).Problem(HttpStatusCode.NotFound, "identity_not_found");
        await using (await App.RefuseEvents("identity.unlinked"))
            Assert.False((await App.Service().DeleteAsync($"/api/v1/users/{hubUserId}/identities/twitch/{account}", Ct)).IsSuccessStatusCode);
        Assert.Equal(hubUserId, (await App.Service().GetAsync($"/api/v1/identities/twitch/{account}", Ct).Data()).Long("id"));
    }

    private async Task<JsonElement> Resolve(string platform, string account, string username) =>
        await App.Service().Post("/api/v1/identities/resolve", new { platform, platform_user_id = account, platform_username = username }).Data();

    private Task<HttpResponseMessage> Link(long hubUserId, string platform, string account) =>
        App.Service().Post($"/api/v1/users/{hubUserId}/identities", new { platform, platform_user_id = account });

    private async Task<List<JsonElement>> IdentityEvents(string type, long hubUserId) =>
        (await App.EventData(null, type)).Where(d => d.Long("hub_user_id") == hubUserId).ToList();

    private async Task<List<long>> UserCreatedEvents(long hubUserId) =>
        (await App.EventData(null, "user.created")).Select(d => d.GetProperty("user").Long("id")).Where(id => id == hubUserId).ToList();
}

public sealed class IdentityTestsOnSqlite(SqliteApp app) : IdentityTests(app), IClassFixture<SqliteApp>;

public sealed class IdentityTestsOnPostgres(PostgresApp app) : IdentityTests(app), IClassFixture<PostgresApp>;
