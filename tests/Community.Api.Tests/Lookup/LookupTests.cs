using System.Net;
using System.Text.Json;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Lookup;

/// <summary>
/// The Router's routing lookup. It is cached, so each test reads it once (filling the cache), writes, and reads it
/// again: the second answer must show the write.
/// </summary>
public abstract class LookupTests(TestApp app) : ApiTest(app)
{
    private HttpClient Router => App.Service();

    [Fact]
    public async Task ACommunityOnlyLookupNamesTheCommunity()
    {
        var name = Unique("Route");
        var id = (await App.Community(name)).Long("id");
        var channel = Unique("chan");
        await App.Connect(id, "twitch", channel);

        var data = await Router.Lookup(channel).Data();

        var community = data.GetProperty("community");
        Assert.Equal((id, name, "free", true), (community.Long("id"), community.Str("name"), community.Str("tier"), community.Bool("is_active")));
        Assert.Equal(JsonValueKind.Null, data.GetProperty("member").ValueKind);
        Assert.False(data.Bool("banned"));
    }

    [Fact]
    public async Task AMemberIsShownWithRoleReputationAndStatus()
    {
        var (id, channel) = await App.ConnectedCommunity();
        var account = Unique("m");
        var hubUserId = (await App.Join(channel, account)).Long("hub_user_id");

        var member = (await Router.Lookup(channel, account).Data()).GetProperty("member");

        Assert.Equal((hubUserId, "member", 600, "active"), (member.Long("hub_user_id"), member.Str("role"), member.Int("reputation"), member.Str("status")));
        Assert.Equal(id, (await Router.Lookup(channel, account).Data()).GetProperty("community").Long("id"));
    }

    [Fact]
    public async Task AnUnknownUserIsNoMemberAndNotBanned()
    {
        var (_, channel) = await App.ConnectedCommunity();

        var data = await Router.Lookup(channel, Unique("nobody")).Data();

        Assert.Equal(JsonValueKind.Null, data.GetProperty("member").ValueKind);
        Assert.False(data.Bool("banned"));
    }

    [Fact]
    public async Task AnUnknownChannelIsCommunityNotFound()
    {
        await Router.Lookup(Unique("nowhere")).Problem(HttpStatusCode.NotFound, "community_not_found");
        await Router.Lookup(Unique("nowhere"), Unique("u")).Problem(HttpStatusCode.NotFound, "community_not_found");
    }

    [Fact]
    public async Task UsersCannotLookUpRoutes()
    {
        var (_, channel) = await App.ConnectedCommunity();
        var account = Unique("u");
        var hubUserId = (await App.Join(channel, account)).Long("hub_user_id");

        await App.User(hubUserId).Lookup(channel, account).Problem(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task ARoleChangeShowsAtOnce()
    {
        var (id, channel, account, hubUserId) = await CachedMember();

        await App.Service().Put($"/api/v1/communities/{id}/members/{hubUserId}/role", new { role = "moderator" }).Data();

        Assert.Equal("moderator", (await Router.Lookup(channel, account).Data()).GetProperty("member").Str("role"));
    }

    [Fact]
    public async Task LeavingShowsAtOnce()
    {
        var (_, channel, account, _) = await CachedMember();

        await App.Leave(channel, account);

        Assert.Equal("left", (await Router.Lookup(channel, account).Data()).GetProperty("member").Str("status"));
    }

    [Fact]
    public async Task AReputationChangeShowsAtOnce()
    {
        var (id, channel, account, hubUserId) = await CachedMember();

        await App.SetReputation(id, hubUserId, 777);

        Assert.Equal(777, (await Router.Lookup(channel, account).Data()).GetProperty("member").Int("reputation"));
    }

    [Fact]
    public async Task ABanAndItsLiftingShowAtOnce()
    {
        var (id, channel, account, hubUserId) = await CachedMember();

        await App.Service().Post($"/api/v1/communities/{id}/members/{hubUserId}/ban", new { reason = "spam" }).Data();
        var banned = await Router.Lookup(channel, account).Data();
        await App.Service().DeleteAsync($"/api/v1/communities/{id}/members/{hubUserId}/ban", Ct).Data();
        var lifted = await Router.Lookup(channel, account).Data();

        Assert.True(banned.Bool("banned"));
        Assert.Equal("banned", banned.GetProperty("member").Str("status"));
        Assert.False(lifted.Bool("banned"));
        Assert.Equal("removed", lifted.GetProperty("member").Str("status"));
    }

    [Fact]
    public async Task DisconnectingThePlatformMakesTheChannelUnknown()
    {
        var (id, channel, account, _) = await CachedMember();
        await Router.Lookup(channel).Data();

        Assert.Equal(HttpStatusCode.NoContent, (await App.Service().DeleteAsync($"/api/v1/communities/{id}/platforms/twitch", Ct)).StatusCode);

        await Router.Lookup(channel).Problem(HttpStatusCode.NotFound, "community_not_found");
        await Router.Lookup(channel, account).Problem(HttpStatusCode.NotFound, "community_not_found");
    }

    [Fact]
    public async Task DeactivatingTheCommunityShowsAtOnce()
    {
        var (id, channel, account, _) = await CachedMember();
        await Router.Lookup(channel).Data();

        await App.Service().DeleteAsync($"/api/v1/communities/{id}", Ct).Data();

        Assert.False((await Router.Lookup(channel).Data()).GetProperty("community").Bool("is_active"));
        Assert.False((await Router.Lookup(channel, account).Data()).GetProperty("community").Bool("is_active"));
    }

    [Fact]
    public async Task ARenameAndATierChangeShowAtOnce()
    {
        var (id, channel, account, _) = await CachedMember();
        await Router.Lookup(channel).Data();
        var name = Unique("Renamed");

        await App.Service().Patch($"/api/v1/communities/{id}", new { name, tier = "premium" }).Data();

        foreach (var data in new[] { await Router.Lookup(channel).Data(), await Router.Lookup(channel, account).Data() })
            Assert.Equal((name, "premium"), (data.GetProperty("community").Str("name"), data.GetProperty("community").Str("tier")));
    }

    [Fact]
    public async Task AJoinOfAUserLookedUpAsUnknownShowsAtOnce()
    {
        var (_, channel) = await App.ConnectedCommunity();
        var account = Unique("newbie");
        Assert.Equal(JsonValueKind.Null, (await Router.Lookup(channel, account).Data()).GetProperty("member").ValueKind);

        var hubUserId = (await App.Join(channel, account)).Long("hub_user_id");

        Assert.Equal(hubUserId, (await Router.Lookup(channel, account).Data()).GetProperty("member").Long("hub_user_id"));
    }

    [Fact]
    public async Task AJoinOfAKnownUserLookedUpAsNoMemberShowsAtOnce()
    {
        var (_, channel) = await App.ConnectedCommunity();
        var (_, elsewhere) = await App.ConnectedCommunity();
        var account = Unique("known");
        await App.Join(elsewhere, account);
        Assert.Equal(JsonValueKind.Null, (await Router.Lookup(channel, account).Data()).GetProperty("member").ValueKind);

        await App.Join(channel, account);

        Assert.Equal("active", (await Router.Lookup(channel, account).Data()).GetProperty("member").Str("status"));
    }

    [Fact]
    public async Task LinkingANewAccountToAMemberShowsAtOnce()
    {
        var (_, channel, _, hubUserId) = await CachedMember();
        var alt = Unique("alt");
        Assert.Equal(JsonValueKind.Null, (await Router.Lookup(channel, alt).Data()).GetProperty("member").ValueKind);

        await App.Service().Post($"/api/v1/users/{hubUserId}/identities", new { platform = "twitch", platform_user_id = alt }).Data(HttpStatusCode.Created);

        Assert.Equal(hubUserId, (await Router.Lookup(channel, alt).Data()).GetProperty("member").Long("hub_user_id"));
    }

    [Fact]
    public async Task UnlinkingAnAccountShowsAtOnce()
    {
        var (_, channel, account, hubUserId) = await CachedMember();

        await App.Service().DeleteAsync($"/api/v1/users/{hubUserId}/identities/twitch/{account}", Ct).Data();

        Assert.Equal(JsonValueKind.Null, (await Router.Lookup(channel, account).Data()).GetProperty("member").ValueKind);
    }

    [Fact]
    public async Task OwnershipTransferShowsAtOnceForBothMembers()
    {
        var owner = Unique("owner");
        var id = (await App.Community(ownerPlatformUserId: owner)).Long("id");
        var channel = Unique("chan");
        await App.Connect(id, "twitch", channel);
        var heir = Unique("heir");
        var heirId = (await App.Join(channel, heir)).Long("hub_user_id");
        await Router.Lookup(channel, owner).Data();
        await Router.Lookup(channel, heir).Data();

        await App.Service().Post($"/api/v1/communities/{id}/transfer-ownership", new { new_owner_id = heirId }).Data();

        Assert.Equal("admin", (await Router.Lookup(channel, owner).Data()).GetProperty("member").Str("role"));
        Assert.Equal("owner", (await Router.Lookup(channel, heir).Data()).GetProperty("member").Str("role"));
    }

    [Fact]
    public async Task ConnectingAChannelLookedUpAsUnknownShowsAtOnce()
    {
        var id = (await App.Community()).Long("id");
        var channel = Unique("soon");
        await Router.Lookup(channel).Problem(HttpStatusCode.NotFound, "community_not_found");
        await Router.Lookup(channel, Unique("u")).Problem(HttpStatusCode.NotFound, "community_not_found");

        await App.Connect(id, "twitch", channel);

        Assert.Equal(id, (await Router.Lookup(channel).Data()).GetProperty("community").Long("id"));
    }

    [Fact]
    public async Task AChannelTakenOverAfterDeactivationRoutesToItsNewCommunity()
    {
        var (old, channel, account, _) = await CachedMember();
        await Router.Lookup(channel).Data();
        await App.Service().DeleteAsync($"/api/v1/communities/{old}", Ct).Data();
        var successor = (await App.Community()).Long("id");

        await App.Connect(successor, "twitch", channel);

        Assert.Equal((successor, true), Community(await Router.Lookup(channel).Data()));
        var data = await Router.Lookup(channel, account).Data();
        Assert.Equal((successor, true), Community(data));
        Assert.Equal(JsonValueKind.Null, data.GetProperty("member").ValueKind);
        var joined = await App.Join(channel, account);
        Assert.Equal(successor, joined.Long("community_id"));
        Assert.Equal(successor, (await Router.Lookup(channel, account).Data()).GetProperty("community").Long("id"));

        static (long, bool) Community(JsonElement lookup) =>
            (lookup.GetProperty("community").Long("id"), lookup.GetProperty("community").Bool("is_active"));
    }

    [Fact]
    public async Task ACommunityWriteWhoseEventCannotBeStoredChangesNothing()
    {
        var (id, channel, _, _) = await CachedMember();
        var community = $"/api/v1/communities/{id}";
        var before = (await App.Service().GetAsync(community, Ct).Data()).GetRawText();

        await using (await App.RefuseEvents("community.updated"))
            Assert.False((await App.Service().Patch(community, new { name = Unique("never") })).IsSuccessStatusCode);
        await using (await App.RefuseEvents("community.deactivated"))
            Assert.False((await App.Service().DeleteAsync(community, Ct)).IsSuccessStatusCode);
        await using (await App.RefuseEvents("platform.disconnected"))
            Assert.False((await App.Service().DeleteAsync($"{community}/platforms/twitch", Ct)).IsSuccessStatusCode);

        Assert.Equal(before, (await App.Service().GetAsync(community, Ct).Data()).GetRawText());
        Assert.True((await Router.Lookup(channel).Data()).GetProperty("community").Bool("is_active"));
    }

    /// <summary>A member of a fresh community whose lookup is already cached.</summary>
    private async Task<(long CommunityId, string Channel, string Account, long HubUserId)> CachedMember()
    {
        var (id, channel) = await App.ConnectedCommunity();
        var account = Unique("cached");
        var hubUserId = (await App.Join(channel, account)).Long("hub_user_id");
        var before = await Router.Lookup(channel, account).Data();
        Assert.Equal(("member", 600, "active", false),
            (before.GetProperty("member").Str("role"), before.GetProperty("member").Int("reputation"), before.GetProperty("member").Str("status"), before.Bool("banned")));
        return (id, channel, account, hubUserId);
    }
}

public sealed class LookupTestsOnSqlite(SqliteApp app) : LookupTests(app), IClassFixture<SqliteApp>;

public sealed class LookupTestsOnPostgres(PostgresApp app) : LookupTests(app), IClassFixture<PostgresApp>;
