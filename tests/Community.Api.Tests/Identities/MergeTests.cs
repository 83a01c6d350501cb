using System.Net;
using System.Text.Json;
using Community.Api.Members;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Tests.Identities;

/// <summary>
/// Linking with <c>merge: true</c> folds the account's hub user (the source) into the linking one (the target).
/// Each test builds the same world: communities where only the source, only the target, or both are members.
/// </summary>
public abstract class MergeTests(TestApp app) : ApiTest(app)
{
    /// <summary>
    /// <c>TargetOwned</c>: target owner, source admin at 700. <c>SourceOwned</c>: source owner, target member at 650.
    /// <c>SourceBanned</c>: source banned, target absent. <c>SourceOnly</c>: source member at 710, target absent.
    /// <c>Both</c>: both active members (source at 500, target at 620). <c>BothSourceBanned</c>: target active, source banned.
    /// </summary>
    private sealed record World(long Source, long Target, string SourceAccount, string TargetAccount, Dictionary<string, (long Id, string Channel)> Communities)
    {
        public long this[string name] => Communities[name].Id;
    }

    [Fact]
    public async Task OverlappingMembershipsKeepTheHigherRoleAndTheHigherReputation()
    {
        var w = await BuildWorld();

        await Merge(w);

        var owned = await App.Member(w["TargetOwned"], w.Target);
        Assert.Equal(("owner", 700, "active"), (owned.Str("role"), owned.Int("reputation"), owned.Str("status")));
        var both = await App.Member(w["Both"], w.Target);
        Assert.Equal(("member", 620, "active"), (both.Str("role"), both.Int("reputation"), both.Str("status")));
        foreach (var name in w.Communities.Keys)
            await App.Service().GetAsync($"/api/v1/communities/{w[name]}/members/{w.Source}", Ct).Problem(HttpStatusCode.NotFound, "member_not_found");
    }

    [Fact]
    public async Task TheSourcesOwnershipPassesToTheTargetAndEachCommunityKeepsOneOwner()
    {
        var w = await BuildWorld();

        await Merge(w);

        var owned = await App.Member(w["SourceOwned"], w.Target);
        Assert.Equal(("owner", 650), (owned.Str("role"), owned.Int("reputation")));
        Assert.Equal(w.Target, (await App.Service().GetAsync($"/api/v1/communities/{w["SourceOwned"]}", Ct).Data()).Long("owner_id"));
        foreach (var name in w.Communities.Keys)
        {
            var owners = await App.Db(db => db.Members.Where(m => m.CommunityId == w[name] && m.Role == Roles.Owner).ToListAsync(Ct));
            Assert.Single(owners);
        }
    }

    [Fact]
    public async Task ABanOnTheSourceHoldsAgainstEveryAccountOfTheTarget()
    {
        var w = await BuildWorld();

        await Merge(w);

        Assert.Equal("banned", (await App.Member(w["SourceBanned"], w.Target)).Str("status"));
        Assert.Equal("banned", (await App.Member(w["BothSourceBanned"], w.Target)).Str("status"));
        foreach (var name in new[] { "SourceBanned", "BothSourceBanned" })
            foreach (var account in new[] { w.TargetAccount, w.SourceAccount })
                await App.Service().Post("/api/v1/members/join", new { platform = "twitch", platform_community_id = w.Communities[name].Channel, platform_user_id = account })
                    .Problem(HttpStatusCode.Forbidden, "member_banned");
        Assert.True((await App.Service().Lookup(w.Communities["BothSourceBanned"].Channel, w.TargetAccount).Data()).Bool("banned"));
    }

    [Fact]
    public async Task MembershipsOfTheSourceAloneMoveToTheTarget()
    {
        var w = await BuildWorld();

        await Merge(w);

        var moved = await App.Member(w["SourceOnly"], w.Target);
        Assert.Equal(("member", 710, "active"), (moved.Str("role"), moved.Int("reputation"), moved.Str("status")));
        var rejoined = await App.Join(w.Communities["SourceOnly"].Channel, w.SourceAccount);
        Assert.False(rejoined.Bool("created"));
        Assert.Equal(w.Target, rejoined.Long("hub_user_id"));
        var communities = (await App.Service().GetAsync($"/api/v1/users/{w.Target}/communities", Ct).Data()).EnumerateArray()
            .Select(c => c.Long("community_id")).Order().ToList();
        Assert.Equal(new[] { w["TargetOwned"], w["SourceOwned"], w["SourceOnly"], w["Both"] }.Order(), communities);
    }

    [Fact]
    public async Task TheSourceIsDeactivatedAndItsIdentitiesBelongToTheTarget()
    {
        var w = await BuildWorld();

        var target = await Merge(w);

        var accounts = target.GetProperty("identities").EnumerateArray().Select(i => i.Str("platform_user_id")).ToList();
        Assert.Equal([w.TargetAccount, w.SourceAccount], accounts);
        Assert.Single(target.GetProperty("identities").EnumerateArray(), i => i.Bool("is_primary"));
        var source = await App.Service().GetAsync($"/api/v1/users/{w.Source}", Ct).Data();
        Assert.False(source.Bool("is_active"));
        Assert.Equal(w.Target, source.Long("merged_into_id"));
        Assert.Empty(source.GetProperty("identities").EnumerateArray());
        Assert.Equal(w.Target, (await App.Service().GetAsync($"/api/v1/identities/twitch/{w.SourceAccount}", Ct).Data()).Long("id"));
        Assert.Equal(w.Target, (await App.Service().Post("/api/v1/identities/resolve", new { platform = "twitch", platform_user_id = w.SourceAccount }).Data())
            .Long("hub_user_id"));
    }

    [Fact]
    public async Task NothingIsDuplicatedOrLostAndMemberCountsStayExact()
    {
        var w = await BuildWorld();
        var ids = w.Communities.Values.Select(c => c.Id).ToList();
        var countsBefore = await Counts(ids, w);
        var historyBefore = await App.Db(db => db.ReputationHistory.CountAsync(h => h.HubUserId == w.Source || h.HubUserId == w.Target, Ct));

        await Merge(w);

        var countsAfter = await Counts(ids, w);
        // Four communities had both users; each keeps one row. Identities are moved, never copied or dropped.
        Assert.Equal(countsBefore.Rows - 4, countsAfter.Rows);
        Assert.Equal(countsBefore.Identities, countsAfter.Identities);
        Assert.Equal(0, countsAfter.SourceRows);
        Assert.Equal(historyBefore, await App.Db(db => db.ReputationHistory.CountAsync(h => h.HubUserId == w.Target, Ct)));
        foreach (var id in ids) await App.MemberCount(id); // asserts member_count equals the active rows
        Assert.Equal(2, await App.MemberCount(w["Both"])); // the owner and the merged user
        Assert.Equal(1, await App.MemberCount(w["BothSourceBanned"])); // the owner only: the merged user is banned
        var merged = Assert.Single(await App.EventData(null, "user.merged"), d => d.Long("target_hub_user_id") == w.Target);
        Assert.Equal(w.Source, merged.Long("source_hub_user_id"));
    }

    [Fact]
    public async Task MergingIntoAnInactiveOrUnknownUserIsRefused()
    {
        var w = await BuildWorld();
        await Merge(w);

        await App.Service().Post($"/api/v1/users/{w.Source}/identities", new { platform = "twitch", platform_user_id = Unique("x"), merge = true })
            .Problem(HttpStatusCode.NotFound, "user_not_found");
        await App.Service().Post("/api/v1/users/987654321/identities", new { platform = "twitch", platform_user_id = w.TargetAccount, merge = true })
            .Problem(HttpStatusCode.NotFound, "user_not_found");
    }

    [Fact]
    public async Task AMergeWhoseEventCannotBeStoredMovesNothing()
    {
        var w = await BuildWorld();
        var before = await Snapshot(w);

        await using (await App.RefuseEvents("user.merged"))
        {
            var response = await App.Service().Post($"/api/v1/users/{w.Target}/identities", new { platform = "twitch", platform_user_id = w.SourceAccount, merge = true });
            Assert.False(response.IsSuccessStatusCode);
        }

        Assert.Equal(before, await Snapshot(w));
        Assert.True((await App.Service().GetAsync($"/api/v1/users/{w.Source}", Ct).Data()).Bool("is_active"));
        foreach (var id in w.Communities.Values.Select(c => c.Id)) await App.MemberCount(id);
    }

    /// <summary>Every membership of every community in the world, and both users, as the API shows them.</summary>
    private async Task<List<string>> Snapshot(World w)
    {
        var parts = new List<string>();
        foreach (var (id, _) in w.Communities.Values)
            parts.Add((await App.Service().GetAsync($"/api/v1/communities/{id}/members?status=all", Ct).Data()).GetRawText());
        foreach (var user in new[] { w.Source, w.Target })
            parts.Add((await App.Service().GetAsync($"/api/v1/users/{user}", Ct).Data()).GetRawText());
        return parts;
    }

    private async Task<JsonElement> Merge(World w) =>
        await App.Service().Post($"/api/v1/users/{w.Target}/identities", new { platform = "twitch", platform_user_id = w.SourceAccount, merge = true }).Data();

    private async Task<(int Rows, int Identities, int SourceRows)> Counts(List<long> communityIds, World w) => await App.Db(async db => (
        await db.Members.CountAsync(m => communityIds.Contains(m.CommunityId), Ct),
        await db.UserIdentities.CountAsync(i => i.HubUserId == w.Source || i.HubUserId == w.Target, Ct),
        await db.Members.CountAsync(m => m.HubUserId == w.Source, Ct)));

    private async Task<World> BuildWorld()
    {
        var sourceAccount = Unique("src");
        var targetAccount = Unique("tgt");
        var communities = new Dictionary<string, (long, string)>();
        async Task<(long Id, string Channel)> Add(string name, string? ownerAccount = null)
        {
            var id = (await App.Community(ownerPlatformUserId: ownerAccount)).Long("id");
            var channel = Unique("chan");
            await App.Connect(id, "twitch", channel);
            return communities[name] = (id, channel);
        }

        var targetOwned = await Add("TargetOwned", targetAccount);
        var target = (await App.Service().GetAsync($"/api/v1/communities/{targetOwned.Id}", Ct).Data()).Long("owner_id");
        var source = (await App.Join(targetOwned.Channel, sourceAccount)).Long("hub_user_id");
        await App.Service().Put($"/api/v1/communities/{targetOwned.Id}/members/{source}/role", new { role = "admin" }).Data();
        await App.SetReputation(targetOwned.Id, source, 700);

        var sourceOwned = await Add("SourceOwned", sourceAccount);
        await App.Join(sourceOwned.Channel, targetAccount);
        await App.SetReputation(sourceOwned.Id, target, 650);

        var sourceBanned = await Add("SourceBanned");
        await App.Join(sourceBanned.Channel, sourceAccount);
        await App.Service().Post($"/api/v1/communities/{sourceBanned.Id}/members/{source}/ban", new { reason = "spam" }).Data();

        var sourceOnly = await Add("SourceOnly");
        await App.Join(sourceOnly.Channel, sourceAccount);
        await App.SetReputation(sourceOnly.Id, source, 710);

        var both = await Add("Both");
        await App.Join(both.Channel, sourceAccount);
        await App.Join(both.Channel, targetAccount);
        await App.SetReputation(both.Id, source, 500);
        await App.SetReputation(both.Id, target, 620);

        var bothSourceBanned = await Add("BothSourceBanned");
        await App.Join(bothSourceBanned.Channel, sourceAccount);
        await App.Join(bothSourceBanned.Channel, targetAccount);
        await App.Service().Post($"/api/v1/communities/{bothSourceBanned.Id}/members/{source}/ban", new { reason = "alt of a troll" }).Data();
        // Cached before the merge: the merge must drop it.
        Assert.False((await App.Service().Lookup(bothSourceBanned.Channel, targetAccount).Data()).Bool("banned"));

        return new World(source, target, sourceAccount, targetAccount, communities);
    }
}

public sealed class MergeTestsOnSqlite(SqliteApp app) : MergeTests(app), IClassFixture<SqliteApp>;

public sealed class MergeTestsOnPostgres(PostgresApp app) : MergeTests(app), IClassFixture<PostgresApp>;

public sealed class MergeTestsOnPgBouncer(PgBouncerApp app) : MergeTests(app), IClassFixture<PgBouncerApp>;
