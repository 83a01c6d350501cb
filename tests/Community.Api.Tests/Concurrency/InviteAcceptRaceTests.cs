using System.Net;
using Community.Api.Tests.Auth;
using Community.Api.Tests.Infrastructure;
using Community.Api.Tests.Invites;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Tests.Concurrency;

/// <summary>
/// Accepts of one invite fired at once, round after round: the conditional use count admits exactly as many users as
/// the invite has uses, every loser's join rolls back whole (no membership, no event), and <c>member_count</c> follows.
/// </summary>
public abstract class InviteAcceptRaceTests(TestApp app) : ApiTest(app)
{
    private const int MaxRounds = 10;
    private const int Callers = 20;
    private const int Uses = 3;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task TwentyConcurrentAcceptsOfAThreeUseInviteAdmitExactlyThree()
    {
        var community = await App.CommunityOwnedBy(await App.HubUser());
        await App.Settings(community, new Dictionary<string, object?> { ["join_mode"] = "invite" });
        await Rounds.RunAsync(MaxRounds, Budget, async _ =>
        {
            var code = await App.InviteCode(community, new { max_uses = Uses });
            var users = await Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => App.HubUser()));
            var clients = users.Select(u => App.User(u)).ToArray();
            var before = await App.MemberCount(community);

            var responses = await Rounds.AllAtOnce(clients.Select(c => (Func<Task<HttpResponseMessage>>)(() =>
                c.PostAsync($"/api/v1/invites/{code}/accept", null))).ToArray());

            var admitted = users.Where((_, i) => responses[i].StatusCode == HttpStatusCode.Created).ToHashSet();
            Assert.Equal(Uses, admitted.Count);
            foreach (var loser in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
                await loser.Problem(HttpStatusCode.NotFound, "invite_not_found");
            Assert.Equal(Uses, (await App.StoredInvite(code)).Uses);
            Assert.Equal(before + Uses, await App.MemberCount(community));
            var members = await App.Db(db => db.Members.Where(m => m.CommunityId == community && users.Contains(m.HubUserId))
                .Select(m => m.HubUserId).ToListAsync(Ct));
            Assert.True(admitted.SetEquals(members), "Only the admitted users have a membership.");
            var joined = (await App.EventData(community, "member.joined")).Where(e => e.Str("invite_code") == code)
                .Select(e => e.GetProperty("member").Long("hub_user_id")).ToList();
            Assert.True(admitted.SetEquals(joined) && joined.Count == Uses, "One member.joined per admitted user, none for the others.");
        });
    }

    [Fact]
    public async Task ARevocationRacingAcceptsAdmitsNobodyAfterIt()
    {
        var community = await App.CommunityOwnedBy(await App.HubUser());
        await Rounds.RunAsync(MaxRounds, Budget, async _ =>
        {
            var code = await App.InviteCode(community);
            var users = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => App.HubUser()));
            var clients = users.Select(u => App.User(u)).ToArray();
            var revoker = App.Service();

            var requests = clients.Select(c => (Func<Task<HttpResponseMessage>>)(() => c.PostAsync($"/api/v1/invites/{code}/accept", null)))
                .Append(() => revoker.DeleteAsync($"/api/v1/communities/{community}/invites/{code}"));
            var responses = await Rounds.AllAtOnce(requests.ToArray());

            Assert.Equal(HttpStatusCode.OK, responses[^1].StatusCode);
            var admitted = responses[..^1].Count(r => r.StatusCode == HttpStatusCode.Created);
            Assert.All(responses[..^1], r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.NotFound, $"{(int)r.StatusCode}"));
            Assert.Equal(admitted, (await App.StoredInvite(code)).Uses);
            // Accepts and revocations stamp their events while holding the community's lock, so the stamps are in the
            // order they committed. The ids are not: an event's id follows its transaction's id, which a transaction
            // may draw before it queues for the lock (see FeedHorizon).
            var revokedAt = (await App.Events(community, "invite.revoked")).Single(e => e.DataJson.Contains(code)).OccurredAt;
            var joins = (await App.Events(community, "member.joined")).Where(e => e.DataJson.Contains(code)).ToList();
            Assert.Equal(admitted, joins.Count);
            Assert.All(joins, e => Assert.True(e.OccurredAt < revokedAt, "A join was admitted after the revocation."));
            await App.MemberCount(community);
        });
    }
}

public sealed class InviteAcceptRaceTestsOnSqlite(SqliteApp app) : InviteAcceptRaceTests(app), IClassFixture<SqliteApp>;

public sealed class InviteAcceptRaceTestsOnPostgres(PostgresApp app) : InviteAcceptRaceTests(app), IClassFixture<PostgresApp>;
