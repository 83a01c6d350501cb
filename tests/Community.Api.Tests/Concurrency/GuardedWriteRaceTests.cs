using System.Net;
using System.Text.Json;
using Community.Api.Members;
using Community.Api.Tests.Auth;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Tests.Concurrency;

/// <summary>
/// Every guarded write against the write that would invalidate its check, fired at once, round after round, with the
/// invariants checked after each round: the checked rank held at commit, exactly one owner, no merge cycle, no
/// membership on a merged user, and <c>member_count</c> equal to the active rows.
/// </summary>
public abstract class GuardedWriteRaceTests(TestApp app) : ApiTest(app)
{
    private const int MaxRounds = 10;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task ABanRacingAPromotionNeverLeavesABannedAdmin()
    {
        var owner = await App.HubUser();
        var community = await App.CommunityOwnedBy(owner);
        var moderator = await App.NewMember(community, "moderator");
        await Rounds.RunAsync(MaxRounds, Budget, async _ =>
        {
            var target = await App.NewMember(community);
            var url = $"/api/v1/communities/{community}/members/{target}";
            var responses = await Rounds.AllAtOnce(
                () => App.User(moderator).Post($"{url}/ban", new { reason = "race" }),
                () => App.User(owner).Put($"{url}/role", new { role = "admin" }));

            var member = await App.Member(community, target);
            var banned = member.GetProperty("ban").ValueKind != JsonValueKind.Null;
            Assert.False(banned && member.Str("role") != "member", $"The ban landed on a promoted member: {member}");
            Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
            Assert.Equal(responses[0].StatusCode == HttpStatusCode.OK, banned);
            await AssertCountsHold(community);
        });
    }

    [Fact]
    public async Task ConcurrentTransfersByOneOwnerMoveOwnershipOnce()
    {
        await Rounds.RunAsync(MaxRounds, Budget, async _ =>
        {
            var owner = await App.HubUser();
            var community = await App.CommunityOwnedBy(owner);
            var candidates = new long[6];
            for (var i = 0; i < candidates.Length; i++) candidates[i] = await App.NewMember(community, "admin");
            var responses = await Rounds.AllAtOnce(candidates.Select(c => (Func<Task<HttpResponseMessage>>)(() =>
                App.User(owner).Post($"/api/v1/communities/{community}/transfer-ownership", new { new_owner_id = c }))).ToArray());

            var winner = Assert.Single(responses.Select((r, i) => (r, i)), x => x.r.StatusCode == HttpStatusCode.OK).i;
            Assert.All(responses.Where((_, i) => i != winner), r => Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode));
            var owners = await App.Db(db => db.Members.Where(m => m.CommunityId == community && m.Role == Roles.Owner).Select(m => m.HubUserId).ToListAsync(Ct));
            Assert.Equal([candidates[winner]], owners);
            Assert.Equal(candidates[winner], await App.Db(db => db.Communities.Where(c => c.Id == community).Select(c => c.OwnerId).SingleAsync(Ct)));
        });
    }

    [Fact]
    public async Task TwoOppositeMergesCannotBothSucceed()
    {
        await Rounds.RunAsync(MaxRounds, Budget, async _ =>
        {
            var (a, accountA) = await UserWithAccount();
            var (b, accountB) = await UserWithAccount();
            var responses = await Rounds.AllAtOnce(
                () => App.Service().Post($"/api/v1/users/{a}/identities", new { platform = "twitch", platform_user_id = accountB, merge = true }),
                () => App.Service().Post($"/api/v1/users/{b}/identities", new { platform = "twitch", platform_user_id = accountA, merge = true }));

            Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
            var active = await App.Db(db => db.HubUsers.Where(u => (u.Id == a || u.Id == b) && u.IsActive).CountAsync(Ct));
            Assert.Equal(1, active);
            await AssertIdentityInvariants();
        });
    }

    [Fact]
    public async Task OneSourceMergedIntoTwoTargetsAtOnceEndsInOneChainWithoutCycles()
    {
        await Rounds.RunAsync(MaxRounds, Budget, async _ =>
        {
            var (source, account) = await UserWithAccount();
            var community = await App.CommunityOwnedBy(await App.HubUser());
            await App.Seat(community, source);
            long first = await App.HubUser(), second = await App.HubUser();
            var responses = await Rounds.AllAtOnce(
                () => App.Service().Post($"/api/v1/users/{first}/identities", new { platform = "twitch", platform_user_id = account, merge = true }),
                () => App.Service().Post($"/api/v1/users/{second}/identities", new { platform = "twitch", platform_user_id = account, merge = true }));

            Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{(int)r.StatusCode}"));
            var merged = await App.Db(db => db.HubUsers.AsNoTracking().SingleAsync(u => u.Id == source, Ct));
            Assert.False(merged.IsActive);
            Assert.Contains(merged.MergedIntoId!.Value, new[] { first, second });
            await AssertIdentityInvariants();
            await AssertCountsHold(community);
        });
    }

    [Fact]
    public async Task TwoUsersLinkingOneNewAccountAtOnceGiveItToOne()
    {
        await Rounds.RunAsync(MaxRounds, Budget, async _ =>
        {
            long first = await App.HubUser(), second = await App.HubUser();
            var account = Unique("acct");
            var responses = await Rounds.AllAtOnce(
                () => App.Service().Post($"/api/v1/users/{first}/identities", new { platform = "twitch", platform_user_id = account }),
                () => App.Service().Post($"/api/v1/users/{second}/identities", new { platform = "twitch", platform_user_id = account }));

            Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
            var loser = Assert.Single(responses, r => r.StatusCode != HttpStatusCode.Created);
            await loser.Problem(HttpStatusCode.Conflict, "identity_linked_elsewhere");
            await AssertIdentityInvariants();
        });
    }

    [Fact]
    public async Task LeavingWhileBeingPromotedKeepsTheRoleAndCountConsistent()
    {
        var owner = await App.HubUser();
        var community = await App.CommunityOwnedBy(owner);
        var admin = await App.NewMember(community, "admin");
        await Rounds.RunAsync(MaxRounds, Budget, async _ =>
        {
            var target = await App.NewMember(community);
            var url = $"/api/v1/communities/{community}/members/{target}";
            var responses = await Rounds.AllAtOnce(
                () => App.User(target).DeleteAsync(url),
                () => App.User(admin).Put($"{url}/role", new { role = "moderator" }));

            Assert.Equal(HttpStatusCode.OK, responses[0].StatusCode);
            var member = await App.Member(community, target);
            Assert.Equal("left", member.Str("status"));
            Assert.Equal(responses[1].StatusCode == HttpStatusCode.OK ? "moderator" : "member", member.Str("role"));
            if (responses[1].StatusCode != HttpStatusCode.OK) await responses[1].Problem(HttpStatusCode.Conflict, "conflict");
            await AssertCountsHold(community);
        });
    }

    [Fact]
    public async Task AJoinRacingABanEndsBannedEitherWay()
    {
        var (community, channel) = await App.ConnectedCommunity();
        var moderator = await App.NewMember(community, "moderator");
        await Rounds.RunAsync(MaxRounds, Budget, async _ =>
        {
            var (user, account) = await UserWithAccount();
            var responses = await Rounds.AllAtOnce(
                () => App.Service().Post("/api/v1/members/join", new { platform = "twitch", platform_community_id = channel, platform_user_id = account }),
                () => App.User(moderator).Post($"/api/v1/communities/{community}/members/{user}/ban", new { reason = "race" }));

            Assert.Equal(HttpStatusCode.OK, responses[1].StatusCode);
            Assert.True(responses[0].StatusCode is HttpStatusCode.OK or HttpStatusCode.Forbidden, $"{(int)responses[0].StatusCode}");
            var member = await App.Member(community, user);
            Assert.Equal("banned", member.Str("status"));
            Assert.NotEqual(JsonValueKind.Null, member.GetProperty("ban").ValueKind);
            await AssertCountsHold(community);
        });
    }

    [Fact]
    public async Task AJoinRacingAMergeLandsOnTheActiveUser()
    {
        var (community, channel) = await App.ConnectedCommunity();
        await Rounds.RunAsync(MaxRounds, Budget, async _ =>
        {
            var (source, account) = await UserWithAccount();
            var target = await App.HubUser();
            var responses = await Rounds.AllAtOnce(
                () => App.Service().Post("/api/v1/members/join", new { platform = "twitch", platform_community_id = channel, platform_user_id = account }),
                () => App.Service().Post($"/api/v1/users/{target}/identities", new { platform = "twitch", platform_user_id = account, merge = true }));

            Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            Assert.Equal(target, (await responses[1].Data()).Long("id"));
            Assert.Equal("active", (await App.Member(community, target)).Str("status"));
            Assert.False(await App.Db(db => db.Members.AnyAsync(m => m.HubUserId == source, Ct)));
            await AssertIdentityInvariants();
            await AssertCountsHold(community);
        });
    }

    /// <summary>
    /// A new viewer's join takes the community's lock last, in the statement that counts it (only while the community is
    /// active): each join racing a deactivation lands whole (account, membership, count, event) or leaves nothing.
    /// </summary>
    [Fact]
    public async Task NewViewersJoiningWhileTheCommunityIsDeactivatedJoinWhollyOrNotAtAll()
    {
        const int viewers = 20;
        await Rounds.RunAsync(MaxRounds, Budget, async round =>
        {
            var (community, channel) = await App.ConnectedCommunity();
            var accounts = Enumerable.Range(0, viewers).Select(_ => Unique("viewer")).ToArray();
            var responses = await Rounds.AllAtOnce(accounts
                .Select(a => (Func<Task<HttpResponseMessage>>)(() => App.Service().Post("/api/v1/members/join", new { platform = "twitch", platform_community_id = channel, platform_user_id = a })))
                .Append(async () =>
                {
                    // Later each round, so that some rounds catch joins on both sides of the deactivation.
                    await Task.Delay(TimeSpan.FromMilliseconds(5 * round), Ct);
                    return await App.Service().DeleteAsync($"/api/v1/communities/{community}", Ct);
                }).ToArray());

            // Counted under the community's lock: no join lands after the deactivation.
            var countWhenDeactivated = (await responses[^1].Data()).GetProperty("member_count").GetInt32();
            var joined = new List<long>();
            for (var i = 0; i < viewers; i++)
            {
                if (responses[i].StatusCode == HttpStatusCode.OK)
                {
                    joined.Add((await responses[i].Data()).Long("hub_user_id"));
                    continue;
                }
                await responses[i].Problem(HttpStatusCode.Conflict, "community_inactive");
                var account = accounts[i];
                Assert.False(await App.Db(db => db.UserIdentities.AnyAsync(x => x.Platform == "twitch" && x.PlatformUserId == account, Ct)),
                    $"A refused join left account {account} behind.");
            }
            Assert.Equal(1 + joined.Count, await App.MemberCount(community));
            Assert.Equal(countWhenDeactivated, 1 + joined.Count);
            var welcomed = (await App.EventData(community, "member.joined")).Select(d => d.GetProperty("member").GetProperty("hub_user_id").GetInt64());
            Assert.Equal(joined.Order(), welcomed.Order());
        });
        // A refused commit is an answer (409), not an error for the operator's log.
        Assert.DoesNotContain(App.Logs.Lines, line => line.StartsWith("Error Microsoft.EntityFrameworkCore"));
    }

    /// <summary>
    /// An add by platform account resolves (and may create) the account inside the add's transaction: an add refused
    /// there, because the community was deactivated meanwhile, leaves no account behind.
    /// </summary>
    [Fact]
    public async Task AddsOfNewAccountsWhileTheCommunityIsDeactivatedLandWhollyOrNotAtAll()
    {
        const int adds = 20;
        await Rounds.RunAsync(MaxRounds, Budget, async round =>
        {
            var community = (await App.Community()).Long("id");
            var accounts = Enumerable.Range(0, adds).Select(_ => Unique("added")).ToArray();
            var responses = await Rounds.AllAtOnce(accounts
                .Select(a => (Func<Task<HttpResponseMessage>>)(() => App.Service().Post($"/api/v1/communities/{community}/members", new { platform = "twitch", platform_user_id = a })))
                .Append(async () =>
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(5 * round), Ct);
                    return await App.Service().DeleteAsync($"/api/v1/communities/{community}", Ct);
                }).ToArray());

            var countWhenDeactivated = (await responses[^1].Data()).GetProperty("member_count").GetInt32();
            var added = 0;
            for (var i = 0; i < adds; i++)
            {
                if (responses[i].StatusCode == HttpStatusCode.Created)
                {
                    added++;
                    continue;
                }
                await responses[i].Problem(HttpStatusCode.Conflict, "community_inactive");
                var account = accounts[i];
                Assert.False(await App.Db(db => db.UserIdentities.AnyAsync(x => x.Platform == "twitch" && x.PlatformUserId == account, Ct)),
                    $"A refused add left account {account} behind.");
            }
            Assert.Equal(1 + added, await App.MemberCount(community));
            Assert.Equal(countWhenDeactivated, 1 + added);
        });
    }

    /// <summary>
    /// Identical adds of one new account create it once: the adds that lose its creation inside their transaction undo
    /// only that attempt (a savepoint) and add the winner's user, leaving no user without an account.
    /// </summary>
    [Fact]
    public async Task IdenticalAddsOfOneNewAccountCreateOneUser()
    {
        const int adds = 10;
        await Rounds.RunAsync(MaxRounds, Budget, async _ =>
        {
            var community = (await App.Community()).Long("id");
            var account = Unique("twin");
            var responses = await Rounds.AllAtOnce(Enumerable.Range(0, adds)
                .Select(_ => (Func<Task<HttpResponseMessage>>)(() => App.Service().Post($"/api/v1/communities/{community}/members", new { platform = "twitch", platform_user_id = account })))
                .ToArray());

            var users = new HashSet<long>();
            foreach (var response in responses) users.Add((await response.Data(response.StatusCode == HttpStatusCode.Created ? HttpStatusCode.Created : HttpStatusCode.OK)).Long("hub_user_id"));
            Assert.Single(users);
            Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
            Assert.Equal(1, await App.Db(db => db.HubUsers.CountAsync(u => u.Username == $"twitch:{account}", Ct)));
            Assert.Equal(2, await App.MemberCount(community));
        });
    }

    [Fact]
    public async Task AWebhookCreatedWhileItsAdminIsDemotedCommitsOnlyBeforeTheDemotion()
    {
        var owner = await App.HubUser();
        var community = await App.CommunityOwnedBy(owner);
        await Rounds.RunAsync(MaxRounds, Budget, async _ =>
        {
            var admin = await App.NewMember(community, "admin");
            var responses = await Rounds.AllAtOnce(
                () => App.User(admin).Post("/api/v1/webhooks", new { url = "https://93.184.216.34/hooks", community_id = community }),
                () => App.User(owner).Put($"/api/v1/communities/{community}/members/{admin}/role", new { role = "member" }));

            Assert.Equal(HttpStatusCode.OK, responses[1].StatusCode);
            if (responses[0].StatusCode != HttpStatusCode.Created)
            {
                await responses[0].Problem(HttpStatusCode.Forbidden, "insufficient_role");
                return;
            }
            // Both committed: the community's lock ordered them, and the subscription came first.
            var actions = await App.Db(db => db.AuditLog.Where(a => a.CommunityId == community && a.ActorId == admin.ToString()
                    || a.CommunityId == community && a.Action == "member.role_changed" && a.TargetId == admin.ToString())
                .OrderBy(a => a.Id).Select(a => a.Action).ToListAsync(Ct));
            Assert.Equal(["webhook.created", "member.role_changed"], actions.TakeLast(2));
        });
    }

    private async Task<(long HubUserId, string Account)> UserWithAccount()
    {
        var account = Unique("acct");
        var id = (await App.Service().Post("/api/v1/identities/resolve", new { platform = "twitch", platform_user_id = account }).Data()).Long("hub_user_id");
        return (id, account);
    }

    /// <summary>Every account belongs to an active user, no membership is left on a merged user, and merge chains end.</summary>
    private Task AssertIdentityInvariants() => App.Db(async db =>
    {
        var users = await db.HubUsers.AsNoTracking().ToDictionaryAsync(u => u.Id, Ct);
        Assert.False(await db.UserIdentities.AnyAsync(i => !db.HubUsers.Any(u => u.Id == i.HubUserId && u.IsActive), Ct),
            "An account belongs to a merged user.");
        Assert.False(await db.Members.AnyAsync(m => !db.HubUsers.Any(u => u.Id == m.HubUserId && u.IsActive), Ct),
            "A membership belongs to a merged user.");
        foreach (var user in users.Values.Where(u => !u.IsActive))
        {
            var seen = new HashSet<long> { user.Id };
            var next = user.MergedIntoId;
            while (next is { } id && !users[id].IsActive)
            {
                Assert.True(seen.Add(id), $"Merge cycle through hub user {id}.");
                next = users[id].MergedIntoId;
            }
            Assert.NotNull(next);
        }
        return true;
    });

    private Task AssertCountsHold(long community) => App.Db(async db =>
    {
        var stored = await db.Communities.Where(c => c.Id == community).Select(c => c.MemberCount).SingleAsync(Ct);
        Assert.Equal(await db.Members.CountAsync(m => m.CommunityId == community && m.Status == MemberStatus.Active, Ct), stored);
        Assert.Equal(1, await db.Members.CountAsync(m => m.CommunityId == community && m.Role == Roles.Owner, Ct));
        return true;
    });
}

public sealed class GuardedWriteRaceTestsOnSqlite(SqliteApp app) : GuardedWriteRaceTests(app), IClassFixture<SqliteApp>;

public sealed class GuardedWriteRaceTestsOnPostgres(PostgresApp app) : GuardedWriteRaceTests(app), IClassFixture<PostgresApp>;

public sealed class GuardedWriteRaceTestsOnPgBouncer(PgBouncerApp app) : GuardedWriteRaceTests(app), IClassFixture<PgBouncerApp>;
