using System.Net;
using System.Text.Json;
using Community.Api.Members;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Community.Api.Reputation;

namespace Community.Api.Tests.Communities;

/// <summary>Create, read, update, deactivate, restore, transfer and stats of one community.</summary>
public abstract class CommunitiesTests(TestApp app) : ApiTest(app)
{
    private const string Url = "/api/v1/communities";

    private static string Owner() => $$"""{"platform": "twitch", "platform_user_id": "{{Guid.NewGuid():N}}"}""";

    private static object OwnerObject() => new { platform = "twitch", platform_user_id = Unique("u") };

    [Fact]
    public async Task CreateReturnsTheCommunityWithLocationAndETag()
    {
        var name = Unique("Pond");
        var response = await App.Service().Post(Url, new { name = $"  {name}  ", description = "  ducks  ", owner = OwnerObject() });
        var data = await response.Data(HttpStatusCode.Created);
        Assert.Equal(name, data.Str("name"));
        Assert.Equal(name, data.Str("display_name"));
        Assert.Equal("ducks", data.Str("description"));
        Assert.Equal(JsonValueKind.Null, data.GetProperty("avatar_url").ValueKind);
        Assert.Equal("free", data.Str("tier"));
        Assert.True(data.Bool("is_public"));
        Assert.True(data.Bool("is_active"));
        Assert.Equal(1, data.Int("member_count"));
        Assert.Empty(data.GetProperty("platforms").EnumerateArray());
        Assert.EndsWith("Z", data.Str("created_at"));
        Assert.Equal($"{Url}/{data.Long("id")}", response.Headers.Location!.OriginalString);

        var get = await App.Service().GetAsync(response.Headers.Location, Ct);
        Assert.Equal(response.ETag(), get.ETag());
        Assert.Equal(data.GetRawText(), (await get.Data()).GetRawText());
    }

    [Fact]
    public async Task CreateMakesTheOwnerAnOwnerMemberWithDefaultSettings()
    {
        var data = await App.Community(extra: new { display_name = "Shown", is_public = false, avatar_url = "https://img.example/a.png" });
        var id = data.Long("id");
        Assert.Equal("Shown", data.Str("display_name"));
        Assert.False(data.Bool("is_public"));
        Assert.Equal("https://img.example/a.png", data.Str("avatar_url"));
        var owner = await App.Db(db => db.Members.SingleAsync(m => m.CommunityId == id));
        Assert.Equal((Roles.Owner, ReputationScale.Default, MemberStatus.Active, data.Long("owner_id")), (owner.Role, owner.Reputation, owner.Status, owner.HubUserId));
        Assert.Equal(10, await App.Db(db => db.Settings.CountAsync(s => s.CommunityId == id)));
        Assert.Equal(1, await App.Db(db => db.Events.CountAsync(e => e.CommunityId == id && e.Type == "community.created")));
    }

    [Fact]
    public async Task NameOfExactlyOneHundredCharactersIsAccepted()
    {
        var name = Unique("n").PadRight(100, 'x');
        Assert.Equal(name, (await App.Community(name)).Str("name"));
    }

    [Fact]
    public async Task DuplicateNameInAnotherCaseIsRefused()
    {
        var name = Unique("Dup");
        await App.Community(name);
        var response = await App.Service().Post(Url, new { name = $" {name.ToUpperInvariant()} ", owner = OwnerObject() });
        await response.Problem(HttpStatusCode.Conflict, "community_name_taken");
    }

    [Fact]
    public async Task ACreateRefusedForItsNameLeavesNoNewOwnerAccountBehind()
    {
        var name = Unique("Taken");
        await App.Community(name);
        var account = Unique("owner");

        await App.Service().Post(Url, new { name, owner = new { platform = "twitch", platform_user_id = account } })
            .Problem(HttpStatusCode.Conflict, "community_name_taken");

        await App.Service().GetAsync($"/api/v1/identities/twitch/{account}", Ct).Problem(HttpStatusCode.NotFound, "identity_not_found");
    }

    [Fact]
    public async Task DuplicateNameBeyondAsciiInAnotherCaseIsRefused()
    {
        var name = Unique("Ärger");
        await App.Community(name);
        var response = await App.Service().Post(Url, new { name = name.ToUpperInvariant(), owner = OwnerObject() });
        await response.Problem(HttpStatusCode.Conflict, "community_name_taken");
    }

    public static TheoryData<string, string> InvalidCreates => new()
    {
        { """{"owner": OWNER}""", "name" },
        { """{"name": null, "owner": OWNER}""", "name" },
        { """{"name": "", "owner": OWNER}""", "name" },
        { """{"name": "   ", "owner": OWNER}""", "name" },
        { $$"""{"name": "{{new string('n', 101)}}", "owner": OWNER}""", "name" },
        { """{"name": "bell\u0007ringer", "owner": OWNER}""", "name" },
        { """{"name": "two\nlines", "owner": OWNER}""", "name" },
        { $$"""{"name": "ok", "display_name": "{{new string('d', 201)}}", "owner": OWNER}""", "display_name" },
        { """{"name": "ok", "display_name": "tab\there", "owner": OWNER}""", "display_name" },
        { $$"""{"name": "ok", "description": "{{new string('d', 2001)}}", "owner": OWNER}""", "description" },
        { """{"name": "ok", "avatar_url": "ftp://img.example/a.png", "owner": OWNER}""", "avatar_url" },
        { """{"name": "ok", "avatar_url": "not a url", "owner": OWNER}""", "avatar_url" },
        { """{"name": "ok", "avatar_url": "javascript:alert(1)", "owner": OWNER}""", "avatar_url" },
        { """{"name": "ok", "tier": "gold", "owner": OWNER}""", "tier" },
        { """{"name": "ok", "tier": "Premium", "owner": OWNER}""", "tier" },
        { """{"name": "ok"}""", "owner_id" },
        { """{"name": "ok", "owner_id": 0}""", "owner_id" },
        { """{"name": "ok", "owner_id": 1, "owner": OWNER}""", "owner" },
        { """{"name": "ok", "owner": {"platform": "twitch"}}""", "owner.platform_user_id" },
        { """{"name": "ok", "owner": {"platform_user_id": "x"}}""", "owner.platform" },
    };

    [Theory]
    [MemberData(nameof(InvalidCreates))]
    public async Task InvalidCreateIs400NamingTheField(string body, string field)
    {
        var response = await App.Service().PostRaw(Url, body.Replace("OWNER", Owner()));
        var problem = await response.Problem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal([field], problem.ErrorFields());
    }

    [Fact]
    public async Task UnknownOwnerIdIs404UserNotFound()
    {
        var response = await App.Service().Post(Url, new { name = Unique(), owner_id = 987_654_321 });
        await response.Problem(HttpStatusCode.NotFound, "user_not_found");
    }

    [Fact]
    public async Task OwnerOnAnUnsupportedPlatformIs400UnsupportedPlatform()
    {
        var response = await App.Service().Post(Url, new { name = Unique(), owner = new { platform = "myspace", platform_user_id = "tom" } });
        await response.Problem(HttpStatusCode.BadRequest, "unsupported_platform");
    }

    [Fact]
    public async Task OwnerIdOfAnExistingUserIsAccepted()
    {
        var first = await App.Community();
        var second = await App.Service().Post(Url, new { name = Unique(), owner_id = first.Long("owner_id") });
        Assert.Equal(first.Long("owner_id"), (await second.Data(HttpStatusCode.Created)).Long("owner_id"));
    }

    [Fact]
    public async Task GetOfAnUnknownCommunityIs404()
    {
        var response = await App.Service().GetAsync($"{Url}/987654321", Ct);
        await response.Problem(HttpStatusCode.NotFound, "community_not_found");
    }

    [Fact]
    public async Task PatchChangesOnlyThePresentFieldsAndNullClears()
    {
        var created = await App.Community(extra: new { description = "old", avatar_url = "https://img.example/a.png" });
        var url = $"{Url}/{created.Long("id")}";

        var patched = await (await App.Service().Patch(url, new { description = "new" })).Data();
        Assert.Equal("new", patched.Str("description"));
        Assert.Equal((created.Str("name"), created.Str("display_name"), "https://img.example/a.png", true),
            (patched.Str("name"), patched.Str("display_name"), patched.Str("avatar_url"), patched.Bool("is_public")));

        var cleared = await (await App.Service().Patch(url, new { description = (string?)null, is_public = false })).Data();
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("description").ValueKind);
        Assert.False(cleared.Bool("is_public"));
        Assert.Equal("https://img.example/a.png", cleared.Str("avatar_url"));
        Assert.Equal(cleared.GetRawText(), (await (await App.Service().GetAsync(url, Ct)).Data()).GetRawText());
    }

    [Fact]
    public async Task PutChangesOnlyThePresentFieldsToo()
    {
        var created = await App.Community(extra: new { description = "kept" });
        var name = Unique("Renamed");
        var put = await (await App.Service().Put($"{Url}/{created.Long("id")}", new { name = $" {name} ", display_name = "Shown" })).Data();
        Assert.Equal((name, "Shown", "kept"), (put.Str("name"), put.Str("display_name"), put.Str("description")));
    }

    [Fact]
    public async Task RenamingToATakenNameInAnotherCaseIs409()
    {
        var taken = await App.Community(Unique("Taken"));
        var other = await App.Community();
        var response = await App.Service().Patch($"{Url}/{other.Long("id")}", new { name = taken.Str("name").ToUpperInvariant() });
        await response.Problem(HttpStatusCode.Conflict, "community_name_taken");
    }

    [Fact]
    public async Task InvalidUpdateIs400NamingTheField()
    {
        var url = $"{Url}/{(await App.Community()).Long("id")}";
        var problem = await (await App.Service().Patch(url, new { name = "  ", avatar_url = "ftp://x.example", tier = "gold" }))
            .Problem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["avatar_url", "name", "tier"], problem.ErrorFields());
        var nullName = await (await App.Service().Patch(url, new { name = (string?)null })).Problem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["name"], nullName.ErrorFields());
    }

    [Fact]
    public async Task IfMatchWithAStaleETagIs412AndWithTheCurrentOneSucceeds()
    {
        var url = $"{Url}/{(await App.Community()).Long("id")}";
        var first = (await App.Service().GetAsync(url, Ct)).ETag();

        var updated = await App.Service().Patch(url, new { description = "v2" }, ifMatch: first);
        await updated.Data();
        var second = updated.ETag();
        Assert.NotEqual(first, second);

        await (await App.Service().Patch(url, new { description = "v3" }, ifMatch: first)).Problem(HttpStatusCode.PreconditionFailed, "precondition_failed");
        await (await App.Service().Put(url, new { description = "v3" }, ifMatch: first)).Problem(HttpStatusCode.PreconditionFailed, "precondition_failed");
        await (await App.Service().Send(HttpMethod.Delete, url, ifMatch: first)).Problem(HttpStatusCode.PreconditionFailed, "precondition_failed");
        Assert.Equal("v2", (await (await App.Service().GetAsync(url, Ct)).Data()).Str("description"));
        Assert.Equal(second, (await App.Service().GetAsync(url, Ct)).ETag());
    }

    [Fact]
    public async Task OfConcurrentUpdatesWithOneETagExactlyOneWins()
    {
        var url = $"{Url}/{(await App.Community()).Long("id")}";
        var etag = (await App.Service().GetAsync(url, Ct)).ETag();
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => App.Service().Patch(url, new { description = $"writer {i}" }, ifMatch: etag)));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        foreach (var lost in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
            await lost.Problem(HttpStatusCode.PreconditionFailed, "precondition_failed");
    }

    [Fact]
    public async Task ConcurrentCreatesOfOneNameGiveOneCommunity()
    {
        var name = Unique("Race");
        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => App.Service().Post(Url, new { name, owner = OwnerObject() })));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var lost in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
            await lost.Problem(HttpStatusCode.Conflict, "community_name_taken");
    }

    [Fact]
    public async Task IfNoneMatchWithTheCurrentETagIs304()
    {
        var url = $"{Url}/{(await App.Community()).Long("id")}";
        var etag = (await App.Service().GetAsync(url, Ct)).ETag();
        var notModified = await App.Service().Get(url, ifNoneMatch: etag);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(etag, notModified.ETag());
        Assert.Equal(HttpStatusCode.OK, (await App.Service().Get(url, ifNoneMatch: "\"something-else\"")).StatusCode);
    }

    [Fact]
    public async Task AnUnparsableIfMatchIs412AndAnUnparsableIfNoneMatchIsIgnored()
    {
        var url = $"{Url}/{(await App.Community()).Long("id")}";
        await (await App.Service().Patch(url, new { description = "x" }, ifMatch: "not-a-quoted-etag")).Problem(HttpStatusCode.PreconditionFailed, "precondition_failed");
        await (await App.Service().Send(HttpMethod.Delete, url, ifMatch: "W/")).Problem(HttpStatusCode.PreconditionFailed, "precondition_failed");
        await (await App.Service().Patch($"{url}/settings", new { locale = "de" }, ifMatch: "bad")).Problem(HttpStatusCode.PreconditionFailed, "precondition_failed");
        Assert.Equal(HttpStatusCode.OK, (await App.Service().Get(url, ifNoneMatch: "not-a-quoted-etag")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await App.Service().Get($"{url}/settings", ifNoneMatch: "bad")).StatusCode);
    }

    [Fact]
    public async Task DeactivatedCommunityLeavesDefaultListButStaysReadable()
    {
        var name = Unique("Gone");
        var url = $"{Url}/{(await App.Community(name)).Long("id")}";
        var response = await App.Service().DeleteAsync(url, Ct);
        var deactivated = await response.Data();
        Assert.False(deactivated.Bool("is_active"));

        var read = await App.Service().GetAsync(url, Ct);
        Assert.Equal(deactivated.GetRawText(), (await read.Data()).GetRawText());
        Assert.Equal(response.ETag(), read.ETag());
        Assert.Empty((await (await App.Service().GetAsync($"{Url}?q={name}", Ct)).Data()).EnumerateArray());
        var all = await (await App.Service().GetAsync($"{Url}?q={name}&include_inactive=true", Ct)).Data();
        Assert.Equal(name, Assert.Single(all.EnumerateArray()).Str("name"));
    }

    [Fact]
    public async Task UpdatingADeactivatedCommunityIs409CommunityInactive()
    {
        var url = $"{Url}/{(await App.Community()).Long("id")}";
        await (await App.Service().DeleteAsync(url, Ct)).Data();
        await (await App.Service().Patch(url, new { description = "late" })).Problem(HttpStatusCode.Conflict, "community_inactive");
    }

    [Fact]
    public async Task RestoredCommunityIsActiveAndListedAgain()
    {
        var name = Unique("Back");
        var url = $"{Url}/{(await App.Community(name)).Long("id")}";
        await (await App.Service().DeleteAsync(url, Ct)).Data();
        var response = await App.Service().PostAsync($"{url}/restore", null, Ct);
        var restored = await response.Data();
        Assert.True(restored.Bool("is_active"));
        Assert.Equal(response.ETag(), (await App.Service().GetAsync(url, Ct)).ETag());
        Assert.Single((await (await App.Service().GetAsync($"{Url}?q={name}", Ct)).Data()).EnumerateArray());
        Assert.Equal("again", (await (await App.Service().Patch(url, new { description = "again" })).Data()).Str("description"));
    }

    [Fact]
    public async Task TransferToANonMemberIs404MemberNotFound()
    {
        var community = await App.Community();
        var outsider = (await App.Community()).Long("owner_id");
        var response = await App.Service().Post($"{Url}/{community.Long("id")}/transfer-ownership", new { new_owner_id = outsider });
        await response.Problem(HttpStatusCode.NotFound, "member_not_found");
        var missing = await App.Service().Post($"{Url}/{community.Long("id")}/transfer-ownership", new { });
        Assert.Equal(["new_owner_id"], (await missing.Problem(HttpStatusCode.BadRequest, "validation_failed")).ErrorFields());
    }

    [Fact]
    public async Task OnlyAnActiveMemberCanBecomeOwner()
    {
        var id = (await App.Community()).Long("id");
        var departed = await App.InsertMember(id, status: MemberStatus.Left);
        await (await App.Service().Post($"{Url}/{id}/transfer-ownership", new { new_owner_id = departed })).Problem(HttpStatusCode.Conflict, "conflict");
        await (await App.Service().DeleteAsync($"{Url}/{id}", Ct)).Data();
        var member = await App.InsertMember(id);
        await (await App.Service().Post($"{Url}/{id}/transfer-ownership", new { new_owner_id = member })).Problem(HttpStatusCode.Conflict, "community_inactive");
    }

    [Fact]
    public async Task TransferMakesTheMemberOwnerAndTheOldOwnerAdmin()
    {
        var community = await App.Community();
        var id = community.Long("id");
        var oldOwner = community.Long("owner_id");
        var newOwner = await App.InsertMember(id);

        var response = await App.Service().Post($"{Url}/{id}/transfer-ownership", new { new_owner_id = newOwner });
        var transferred = await response.Data();
        Assert.Equal(newOwner, transferred.Long("owner_id"));
        Assert.Equal(response.ETag(), (await App.Service().GetAsync($"{Url}/{id}", Ct)).ETag());
        var roles = await App.Db(db => db.Members.Where(m => m.CommunityId == id).ToDictionaryAsync(m => m.HubUserId, m => m.Role));
        Assert.Equal(Roles.Owner, roles[newOwner]);
        Assert.Equal(Roles.Admin, roles[oldOwner]);
        Assert.Single(roles.Values, r => r == Roles.Owner);
    }

    [Fact]
    public async Task StatsCountMembersPlatformsJoinsAndReputationTiers()
    {
        var id = (await App.Community()).Long("id");
        var now = App.Clock.GetUtcNow().UtcDateTime;
        await App.InsertMember(id, Roles.Moderator, reputation: 810, joinedAt: now.AddDays(-3));
        await App.InsertMember(id, Roles.Member, reputation: 450, joinedAt: now.AddDays(-20));
        await App.InsertMember(id, Roles.Member, reputation: 700, status: MemberStatus.Left, joinedAt: now.AddDays(-40));
        await App.Connect(id, "twitch");
        await App.Connect(id, "discord");

        var stats = await (await App.Service().GetAsync($"{Url}/{id}/stats", Ct)).Data();
        var members = stats.GetProperty("members");
        Assert.Equal((4, 3), (members.Int("total"), members.Int("active")));
        Assert.Equal("""{"owner":1,"admin":0,"moderator":1,"member":1}""", members.GetProperty("by_role").GetRawText());
        Assert.Equal("""{"active":3,"left":1,"removed":0,"banned":0}""", members.GetProperty("by_status").GetRawText());
        Assert.Equal(2, stats.GetProperty("platforms").Int("total"));
        Assert.Equal(new Dictionary<string, int> { ["twitch"] = 1, ["discord"] = 1 },
            stats.GetProperty("platforms").GetProperty("by_platform").Deserialize<Dictionary<string, int>>());
        Assert.Equal("""{"last_1d":1,"last_7d":2,"last_30d":3}""", stats.GetProperty("joins").GetRawText());
        var reputation = stats.GetProperty("reputation");
        Assert.Equal(620.0, reputation.GetProperty("average").GetDouble());
        Assert.Equal("""{"Exceptional":1,"Very Good":0,"Good":0,"Fair":1,"Poor":1}""", reputation.GetProperty("by_tier").GetRawText());
    }

    [Fact]
    public async Task WithoutCredentialsIs401()
    {
        var response = await App.Anonymous().GetAsync(Url, Ct);
        await response.Problem(HttpStatusCode.Unauthorized, "unauthorized");
    }
}

public sealed class CommunitiesTestsOnSqlite(SqliteApp app) : CommunitiesTests(app), IClassFixture<SqliteApp>;

public sealed class CommunitiesTestsOnPostgres(PostgresApp app) : CommunitiesTests(app), IClassFixture<PostgresApp>;
