using System.Text.Json;
using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Tests.Events;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Api.Tests.Concurrency;

/// <summary>
/// Events of one community are numbered in the order their changes happened: the feed, relays and webhooks ("in order
/// per community") follow ids. On PostgreSQL an id is drawn at a transaction's first write, so a write that draws it
/// and then waits for another writer of the community must still be numbered after that writer's events.
/// </summary>
public abstract class EventOrderRaceTests(TestApp app) : ApiTest(app)
{
    private const int MaxRounds = 20;
    private const int Accounts = 6;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A connector's join of an account that left share-locks its user (the transaction's first write, which draws its
    /// id) before it writes the membership; a reputation change of that member, started a few milliseconds later, can
    /// take the membership's row in between and commit first (commits are held back 0–15 ms, widening that window).
    /// The join then records the member as that change left it. Round after round, each member's events in id order
    /// must tell one story: joined and left alternate, and each event starts from the reputation the one before left.
    /// </summary>
    [Fact]
    public async Task AJoinThatWaitedForAReputationChangeIsNumberedAfterIt()
    {
        var (community, channel) = await App.ConnectedCommunity();
        var accounts = Enumerable.Range(0, Accounts).Select(_ => Unique("viewer")).ToArray();
        var users = new long[Accounts];
        for (var i = 0; i < Accounts; i++) users[i] = (await App.Join(channel, accounts[i])).Long("hub_user_id");

        await Rounds.RunAsync(MaxRounds, Budget, async _ =>
        {
            foreach (var account in accounts)
                await App.Leave(channel, account);
            await Rounds.AllAtOnce(Enumerable.Range(0, Accounts).SelectMany(i => new Func<Task<HttpResponseMessage>>[]
            {
                () => App.Service().Post("/api/v1/members/join", new { platform = "twitch", platform_community_id = channel, platform_user_id = accounts[i] }),
                async () =>
                {
                    await Task.Delay(Random.Shared.Next(0, 6));
                    return await App.Service().Post($"/api/v1/communities/{community}/members/{users[i]}/reputation", new { delta = 1, reason = "race" });
                },
            }).ToArray());

            var events = await MemberEvents(community);
            foreach (var user in users) AssertOneStory(user, events[user]);
        });
    }

    private static void AssertOneStory(long user, List<(string Type, JsonElement Data)> events)
    {
        int? reputation = null;
        var active = false;
        foreach (var (type, data) in events)
        {
            var story = $"Member {user}'s events in id order: {string.Join(", ", events.Select(e => e.Type))}; at {type}";
            if (type == EventTypes.MemberReputationChanged)
            {
                var change = data.GetProperty("change");
                Assert.True(reputation is null || change.GetProperty("old_value").GetInt32() == reputation, $"{story} the change started from another value.");
                reputation = change.GetProperty("new_value").GetInt32();
                continue;
            }
            Assert.True(active == (type == EventTypes.MemberLeft), $"{story} joined and left do not alternate.");
            active = !active;
            var recorded = data.GetProperty("member").GetProperty("reputation").GetInt32();
            Assert.True(reputation is null || recorded == reputation, $"{story} the member's reputation was {recorded}, not {reputation}.");
            reputation = recorded;
        }
    }

    private Task<Dictionary<long, List<(string Type, JsonElement Data)>>> MemberEvents(long community) => App.Db(async db =>
        (await db.Events.Where(e => e.CommunityId == community
                    && (e.Type == EventTypes.MemberJoined || e.Type == EventTypes.MemberLeft || e.Type == EventTypes.MemberReputationChanged))
                .OrderBy(e => e.Id).Select(e => new { e.Type, e.DataJson }).ToListAsync(Ct))
            .Select(e => (e.Type, Data: JsonDocument.Parse(e.DataJson).RootElement.Clone()))
            .GroupBy(e => e.Data.GetProperty("member").GetProperty("hub_user_id").GetInt64())
            .ToDictionary(g => g.Key, g => g.ToList()));
}

public sealed class EventOrderRaceTestsOnSqlite(JitteredSqliteApp app) : EventOrderRaceTests(app), IClassFixture<JitteredSqliteApp>;

public sealed class EventOrderRaceTestsOnPostgres(JitteredPostgresApp app) : EventOrderRaceTests(app), IClassFixture<JitteredPostgresApp>
{
    /// <summary>
    /// The interleaving itself, step by step: a transaction records an event (drawing its id), another records one for
    /// the same community and commits, then the first commits. The first transaction's community events (its event of
    /// another community too) are numbered after the second's, which it could have seen; its event of no community
    /// keeps its id.
    /// </summary>
    [Fact]
    public async Task AnEventCommittedAfterAnotherOfItsCommunityIsNumberedAfterIt()
    {
        var community = (await App.Community()).Long("id");
        var elsewhere = (await App.Community()).Long("id");
        await using var first = Session("test.first");
        await using var second = Session("test.second");

        await using var firstTx = await first.Db.Database.BeginTransactionAsync(Ct);
        var early = await first.Record(community);
        var apart = await first.Record(elsewhere);
        var unscoped = await first.Record(null);
        await using var secondTx = await second.Db.Database.BeginTransactionAsync(Ct);
        var late = await second.Record(community);
        Assert.True(late.Id > early.Id, "The second transaction drew the larger id, as the interleaving needs.");
        await secondTx.CommitAsync(Ct);
        await firstTx.CommitAsync(Ct);

        var types = await App.Db(db => db.Events.Where(e => e.CommunityId == community && e.Type.StartsWith("test."))
            .OrderBy(e => e.Id).Select(e => e.Type).ToListAsync(Ct));
        Assert.Equal(["test.second", "test.first"], types);
        // The first transaction's community events moved together, keeping their order in it; its event of no
        // community stayed where it was.
        var moved = await App.Db(db => db.Events.Where(e => e.Type == "test.first" && (e.CommunityId == community || e.CommunityId == elsewhere))
            .OrderBy(e => e.Id).Select(e => new { e.Id, e.CommunityId }).ToListAsync(Ct));
        Assert.Equal([community, elsewhere], moved.Select(e => e.CommunityId));
        Assert.True(moved[0].Id > late.Id);
        Assert.Empty(await App.Db(db => db.Events.Where(e => e.Id == early.Id || e.Id == apart.Id).ToListAsync(Ct)));
        Assert.Equal(1, await App.Db(db => db.Events.CountAsync(e => e.Id == unscoped.Id && e.CommunityId == null && e.Type == "test.first", Ct)));
    }

    /// <summary>A transaction with nothing committed above it in its communities keeps the ids it drew.</summary>
    [Fact]
    public async Task AnEventWithNothingCommittedAboveItKeepsItsId()
    {
        var community = (await App.Community()).Long("id");
        await using var session = Session("test.alone");
        await using var tx = await session.Db.Database.BeginTransactionAsync(Ct);
        var recorded = await session.Record(community);
        await tx.CommitAsync(Ct);
        Assert.Equal(1, await App.Db(db => db.Events.CountAsync(e => e.Id == recorded.Id && e.CommunityId == community, Ct)));
    }

    private Writer Session(string eventType) => new(App.Services.CreateAsyncScope(), eventType, Ct);

    /// <summary>One unit of work of its own, recording events of one type through the journal, as every write does.</summary>
    private sealed class Writer(AsyncServiceScope scope, string eventType, CancellationToken ct) : IAsyncDisposable
    {
        public CommunityDb Db { get; } = scope.ServiceProvider.GetRequiredService<CommunityDb>();

        public async Task<OutboxEvent> Record(long? communityId)
        {
            var recorded = scope.ServiceProvider.GetRequiredService<Journal>().Event(eventType, communityId, new { });
            await Db.SaveChangesAsync(ct);
            return recorded;
        }

        public ValueTask DisposeAsync() => scope.DisposeAsync();
    }
}

public sealed class EventOrderRaceTestsOnPgBouncer(JitteredPgBouncerApp app) : EventOrderRaceTests(app), IClassFixture<JitteredPgBouncerApp>;
