using System.Net;
using System.Text.Json;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Members;

/// <summary>Reputation changes by services: deltas and values, the 300–850 clamp, tiers, history and the automatic ban.</summary>
public abstract class ReputationTests(TestApp app) : ApiTest(app)
{
    [Fact]
    public async Task ADeltaMovesTheScoreAndIsRecordedAndAnnounced()
    {
        var (id, hubUserId) = await NewMember();

        var result = await Change(id, hubUserId, new { delta = 25, reason = "helpful answer" }).Data();

        Assert.Equal(625, result.GetProperty("member").Int("reputation"));
        var change = result.GetProperty("change");
        Assert.Equal(600, change.Int("old_value"));
        Assert.Equal(625, change.Int("new_value"));
        Assert.Equal(25, change.Int("delta"));
        Assert.Equal("helpful answer", change.Str("reason"));
        Assert.Equal("test-admin", change.Str("actor"));
        Assert.Equal(625, (await App.Member(id, hubUserId)).Int("reputation"));
        var e = Assert.Single(await App.EventData(id, "member.reputation_changed", hubUserId));
        Assert.Equal(625, e.GetProperty("member").Int("reputation"));
        Assert.Equal(25, e.GetProperty("change").Int("delta"));
    }

    [Fact]
    public async Task AValueSetsTheScore()
    {
        var (id, hubUserId) = await NewMember();

        var result = await Change(id, hubUserId, new { value = 700, reason = "reset" }).Data();

        Assert.Equal(700, result.GetProperty("member").Int("reputation"));
        Assert.Equal(100, result.GetProperty("change").Int("delta"));
    }

    [Fact]
    public async Task ScoresAreClampedToTheScaleBothWays()
    {
        var (id, hubUserId) = await NewMember();

        var top = await Change(id, hubUserId, new { value = 900, reason = "hero" }).Data();
        var bottom = await Change(id, hubUserId, new { delta = -1000, reason = "villain" }).Data();

        Assert.Equal(850, top.GetProperty("member").Int("reputation"));
        Assert.Equal(250, top.GetProperty("change").Int("delta"));
        Assert.Equal(300, bottom.GetProperty("member").Int("reputation"));
        Assert.Equal(-550, bottom.GetProperty("change").Int("delta"));
        Assert.Equal(300, (await App.Member(id, hubUserId)).Int("reputation"));
    }

    [Fact]
    public async Task ExactlyOneOfDeltaAndValueAndAReasonAreRequired()
    {
        var (id, hubUserId) = await NewMember();

        var both = await Change(id, hubUserId, new { delta = 5, value = 700, reason = "x" }).Problem(HttpStatusCode.BadRequest, "validation_failed");
        var neither = await Change(id, hubUserId, new { reason = "x" }).Problem(HttpStatusCode.BadRequest, "validation_failed");
        var noReason = await Change(id, hubUserId, new { delta = 5 }).Problem(HttpStatusCode.BadRequest, "validation_failed");

        Assert.True(both.GetProperty("errors").TryGetProperty("delta", out _));
        Assert.True(neither.GetProperty("errors").TryGetProperty("delta", out _));
        Assert.True(noReason.GetProperty("errors").TryGetProperty("reason", out _));
        Assert.Equal(600, (await App.Member(id, hubUserId)).Int("reputation"));
        Assert.Empty(await App.EventData(id, "member.reputation_changed"));
    }

    [Fact]
    public async Task ChangingTheReputationOfANonMemberIsMemberNotFound()
    {
        var (id, _) = await NewMember();
        var stranger = (await (await App.Service().Post("/api/v1/users", new { username = Unique("s") })).Data(HttpStatusCode.Created)).Long("id");

        await Change(id, stranger, new { delta = 5, reason = "x" }).Problem(HttpStatusCode.NotFound, "member_not_found");
    }

    [Fact]
    public async Task HistoryListsChangesNewestFirstAcrossPages()
    {
        var (id, hubUserId) = await NewMember();
        for (var i = 1; i <= 5; i++) await Change(id, hubUserId, new { delta = i, reason = $"r{i}" }).Data();

        var reasons = new List<string>();
        string? cursor = null;
        do
        {
            var body = await (await App.Service().GetAsync(
                $"/api/v1/communities/{id}/members/{hubUserId}/reputation/history?limit=2{(cursor is null ? "" : $"&cursor={cursor}")}", Ct)).Json();
            reasons.AddRange(body.GetProperty("data").EnumerateArray().Select(h => h.Str("reason")));
            cursor = body.GetProperty("meta").GetProperty("next_cursor").GetString();
        } while (cursor is not null);

        Assert.Equal(["r5", "r4", "r3", "r2", "r1"], reasons);
        var newest = (await (await App.Service().GetAsync($"/api/v1/communities/{id}/members/{hubUserId}/reputation/history?limit=1", Ct)).Data())[0];
        Assert.Equal(610, newest.Int("old_value"));
        Assert.Equal(615, newest.Int("new_value"));
    }

    [Theory]
    [InlineData(300, "Poor")]
    [InlineData(579, "Poor")]
    [InlineData(580, "Fair")]
    [InlineData(669, "Fair")]
    [InlineData(670, "Good")]
    [InlineData(739, "Good")]
    [InlineData(740, "Very Good")]
    [InlineData(799, "Very Good")]
    [InlineData(800, "Exceptional")]
    [InlineData(850, "Exceptional")]
    public async Task TheTierFollowsTheScore(int score, string tier)
    {
        var (id, hubUserId) = await NewMember();

        var result = await Change(id, hubUserId, new { value = score, reason = "tier" }).Data();

        Assert.Equal(tier, result.GetProperty("member").Str("reputation_tier"));
        Assert.Equal(tier, (await App.Member(id, hubUserId)).Str("reputation_tier"));
    }

    [Fact]
    public async Task FallingBelowTheAutoBanThresholdBansOnce()
    {
        var (id, hubUserId) = await NewMember();
        await App.Settings(id, new() { ["moderation.auto_ban_enabled"] = true, ["moderation.auto_ban_threshold"] = 450 });

        var crossed = await Change(id, hubUserId, new { delta = -160, reason = "toxic" }).Data();

        Assert.Equal(440, crossed.GetProperty("member").Int("reputation"));
        Assert.Equal("banned", crossed.GetProperty("member").Str("status"));
        Assert.NotEqual(JsonValueKind.Null, crossed.GetProperty("member").GetProperty("ban").ValueKind);
        var ban = Assert.Single(await App.EventData(id, "member.banned", hubUserId));
        Assert.True(ban.Bool("automatic"));
        Assert.Equal(1, await App.MemberCount(id));

        var further = await Change(id, hubUserId, new { delta = -10, reason = "still toxic" }).Data();

        Assert.Equal(430, further.GetProperty("member").Int("reputation"));
        Assert.Single(await App.EventData(id, "member.banned", hubUserId));
        Assert.Equal(2, (await App.EventData(id, "member.reputation_changed", hubUserId)).Count);
        Assert.Equal(1, await App.MemberCount(id));
    }

    [Fact]
    public async Task WithoutAutoBanALowScoreBansNobody()
    {
        var (id, hubUserId) = await NewMember();

        var result = await Change(id, hubUserId, new { value = 300, reason = "low" }).Data();

        Assert.Equal("active", result.GetProperty("member").Str("status"));
        Assert.Empty(await App.EventData(id, "member.banned"));
    }

    [Fact]
    public async Task UsersCannotChangeReputationOnlyServicesCan()
    {
        var (id, hubUserId) = await NewMember();
        var ownerId = (await (await App.Service().GetAsync($"/api/v1/communities/{id}", Ct)).Data()).Long("owner_id");

        foreach (var user in new[] { hubUserId, ownerId })
            await App.User(user).Post($"/api/v1/communities/{id}/members/{hubUserId}/reputation", new { delta = 100, reason = "self-service" })
                .Problem(HttpStatusCode.Forbidden, "forbidden");

        Assert.Equal(600, (await App.Member(id, hubUserId)).Int("reputation"));
        Assert.Empty(await App.EventData(id, "member.reputation_changed"));
    }

    private async Task<(long CommunityId, long HubUserId)> NewMember()
    {
        var (id, channel) = await App.ConnectedCommunity();
        return (id, (await App.Join(channel, Unique("rep"))).Long("hub_user_id"));
    }

    private Task<HttpResponseMessage> Change(long communityId, long hubUserId, object body) =>
        App.Service().Post($"/api/v1/communities/{communityId}/members/{hubUserId}/reputation", body);
}

public sealed class ReputationTestsOnSqlite(SqliteApp app) : ReputationTests(app), IClassFixture<SqliteApp>;

public sealed class ReputationTestsOnPostgres(PostgresApp app) : ReputationTests(app), IClassFixture<PostgresApp>;
