using System.Net;
using Community.Api.Members;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Tests.Members;

/// <summary>The guarantees the Router and connectors rely on when many identical calls arrive at once.</summary>
public abstract class ConcurrencyTests(TestApp app) : ApiTest(app)
{
    [Fact]
    public async Task FiftyConcurrentIdenticalResolvesGiveOneHubUser()
    {
        var account = Unique("acct");
        var client = App.Service();
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ =>
            client.Post("/api/v1/identities/resolve", new { platform = "twitch", platform_user_id = account, platform_username = "same" })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var bodies = await Task.WhenAll(responses.Select(r => r.Data()));
        Assert.Single(bodies.Select(b => b.Long("hub_user_id")).Distinct());
        Assert.Single(bodies, b => b.Bool("created"));
        var identities = await App.Db(db => db.UserIdentities.CountAsync(i => i.Platform == "twitch" && i.PlatformUserId == account, Ct));
        Assert.Equal(1, identities);
        var users = await App.Db(db => db.HubUsers.CountAsync(u => u.Username == "same" && db.UserIdentities.Any(i => i.HubUserId == u.Id && i.PlatformUserId == account), Ct));
        Assert.Equal(1, users);
    }

    [Fact]
    public async Task FiftyConcurrentIdenticalJoinsGiveOneMembershipOneEventAndOneMoreMember()
    {
        var (communityId, channel) = await App.ConnectedCommunity();
        var client = App.Service();
        // Rounds of a new viewer reported fifty times at once: its hub user, account and membership are written in one
        // transaction, and the joins that lose the account's unique index roll theirs back and join as for a known one.
        for (var round = 1; round <= 3; round++)
        {
            var account = Unique("viewer");
            var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => client.Post("/api/v1/members/join",
                new { platform = "twitch", platform_community_id = channel, platform_user_id = account, platform_username = account })));

            Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            var bodies = await Task.WhenAll(responses.Select(r => r.Data()));
            Assert.Single(bodies, b => b.Bool("created"));
            Assert.Single(bodies, b => b.Bool("user_created"));
            var hubUserId = Assert.Single(bodies.Select(b => b.Long("hub_user_id")).Distinct());
            Assert.Equal(1, await App.Db(db => db.HubUsers.CountAsync(u => u.Username == account, Ct))); // no loser's hub user stayed
            Assert.Equal(1, await App.Db(db => db.Events.CountAsync(e => e.Type == "user.created" && e.DataJson.Contains($"\"id\":{hubUserId},"), Ct)));
            Assert.Equal(1, await App.Db(db => db.Members.CountAsync(m => m.CommunityId == communityId && m.HubUserId == hubUserId, Ct)));
            Assert.Single(await App.Events(communityId, "member.joined"), e => e.DataJson.Contains($"\"hub_user_id\":{hubUserId},"));
            Assert.Equal(1 + round, await MemberCount(communityId)); // the owner and the viewers so far
        }
    }

    [Fact]
    public async Task FiftyConcurrentJoinsOfDistinctUsersAddExactlyFifty()
    {
        var (communityId, channel) = await App.ConnectedCommunity();
        var client = App.Service();
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => client.Post("/api/v1/members/join",
            new { platform = "twitch", platform_community_id = channel, platform_user_id = $"{Unique("v")}-{i}" })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(51, await MemberCount(communityId));
        Assert.Equal(51, await App.Db(db => db.Members.CountAsync(m => m.CommunityId == communityId && m.Status == MemberStatus.Active, Ct)));
        Assert.Equal(50, (await App.Events(communityId, "member.joined")).Count);
    }

    [Fact]
    public async Task HundredConcurrentIncrementsLoseNone()
    {
        var (communityId, channel) = await App.ConnectedCommunity();
        var hubUserId = (await App.Join(channel, Unique("rep"))).Long("hub_user_id");
        var client = App.Service();
        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ =>
            client.Post($"/api/v1/communities/{communityId}/members/{hubUserId}/reputation", new { delta = 1, reason = "helpful" })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var member = await App.Db(db => db.Members.SingleAsync(m => m.CommunityId == communityId && m.HubUserId == hubUserId, Ct));
        Assert.Equal(700, member.Reputation);
        var history = await App.Db(db => db.ReputationHistory.Where(h => h.CommunityId == communityId && h.HubUserId == hubUserId).ToListAsync(Ct));
        Assert.Equal(100, history.Count);
        // Each change saw the previous one: the old values are exactly 600..699.
        Assert.Equal(Enumerable.Range(600, 100), history.Select(h => h.OldValue).Order());
        Assert.Equal(100, (await App.Events(communityId, "member.reputation_changed")).Count);
    }

    [Fact]
    public async Task ConcurrentIncrementsPastTheTopClampAt850()
    {
        var (communityId, channel) = await App.ConnectedCommunity();
        var hubUserId = (await App.Join(channel, Unique("top"))).Long("hub_user_id");
        var client = App.Service();
        await Task.WhenAll(Enumerable.Range(0, 30).Select(_ =>
            client.Post($"/api/v1/communities/{communityId}/members/{hubUserId}/reputation", new { delta = 10, reason = "great" })));

        var member = await App.Db(db => db.Members.SingleAsync(m => m.CommunityId == communityId && m.HubUserId == hubUserId, Ct));
        Assert.Equal(850, member.Reputation);
        var applied = await App.Db(db => db.ReputationHistory.Where(h => h.HubUserId == hubUserId).SumAsync(h => h.Delta, Ct));
        Assert.Equal(250, applied);
    }

    private Task<int> MemberCount(long communityId) =>
        App.Db(db => db.Communities.Where(c => c.Id == communityId).Select(c => c.MemberCount).SingleAsync(Ct));
}

public sealed class ConcurrencyTestsOnSqlite(SqliteApp app) : ConcurrencyTests(app), IClassFixture<SqliteApp>;

public sealed class ConcurrencyTestsOnPostgres(PostgresApp app) : ConcurrencyTests(app), IClassFixture<PostgresApp>;

public sealed class ConcurrencyTestsOnPgBouncer(PgBouncerApp app) : ConcurrencyTests(app), IClassFixture<PgBouncerApp>;
