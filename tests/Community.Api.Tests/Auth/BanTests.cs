using System.Net;
using System.Text.Json;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Auth;

/// <summary>A ban holds against the hub user, so it covers every platform account, even one linked after the ban.</summary>
public abstract class BanTests(TestApp app) : ApiTest(app)
{
    [Fact]
    public async Task ABanByAModeratorRefusesAnAccountLinkedAfterTheBanUntilLifted()
    {
        var (crew, twitch, discord) = await TwoPlatformCommunity();
        var viewer = Unique("tw");
        var hubUserId = (await App.Join(twitch, viewer)).Long("hub_user_id");

        var banned = await (await App.User(crew.Moderator).Post($"{crew.Url}/members/{hubUserId}/ban", new { reason = "raid" })).Data();
        Assert.Equal("banned", banned.Str("status"));

        // Linked only now: the ban was never told about this account.
        var account = Unique("dc");
        await (await App.Service().Post($"/api/v1/users/{hubUserId}/identities", new { platform = "discord", platform_user_id = account }))
            .Data(HttpStatusCode.Created);
        await (await JoinVia("discord", discord, account)).Problem(HttpStatusCode.Forbidden, "member_banned");
        await (await JoinVia("twitch", twitch, viewer)).Problem(HttpStatusCode.Forbidden, "member_banned");
        Assert.True((await Lookup("discord", discord, account)).Bool("banned"));
        Assert.Equal("banned", (await App.Member(crew.Community, hubUserId)).Str("status"));

        await (await App.User(crew.Moderator).DeleteAsync($"{crew.Url}/members/{hubUserId}/ban", Ct)).Data();
        var joined = await (await JoinVia("discord", discord, account)).Data();
        Assert.Equal(hubUserId, joined.Long("hub_user_id"));
        Assert.True(joined.Bool("created"));
        Assert.Equal("active", joined.GetProperty("member").Str("status"));
        Assert.False((await Lookup("discord", discord, account)).Bool("banned"));
    }

    [Fact]
    public async Task ABanOfSomeoneWhoNeverJoinedHoldsForTheirLaterAccounts()
    {
        var (crew, _, discord) = await TwoPlatformCommunity();
        var stranger = await App.HubUser();
        await (await App.User(crew.Moderator).Post($"{crew.Url}/members/{stranger}/ban", new { reason = "known troll" })).Data();

        var account = Unique("dc");
        await (await App.Service().Post($"/api/v1/users/{stranger}/identities", new { platform = "discord", platform_user_id = account }))
            .Data(HttpStatusCode.Created);
        await (await JoinVia("discord", discord, account)).Problem(HttpStatusCode.Forbidden, "member_banned");
        await (await App.Service().Post($"{crew.Url}/members", new { hub_user_id = stranger })).Problem(HttpStatusCode.Forbidden, "member_banned");
    }

    [Fact]
    public async Task ATimeoutExpiresByTheClock()
    {
        var (crew, twitch, discord) = await TwoPlatformCommunity();
        var viewer = Unique("tw");
        var hubUserId = (await App.Join(twitch, viewer)).Long("hub_user_id");
        var account = Unique("dc");
        await (await App.Service().Post($"/api/v1/users/{hubUserId}/identities", new { platform = "discord", platform_user_id = account }))
            .Data(HttpStatusCode.Created);

        var timedOut = await (await App.User(crew.Moderator).Post($"{crew.Url}/members/{hubUserId}/ban",
            new { reason = "cool off", duration_seconds = 300 })).Data();
        Assert.NotEqual(JsonValueKind.Null, timedOut.GetProperty("ban").GetProperty("expires_at").ValueKind);
        // The member list (its default page is read by hand on PostgreSQL) shows the timed-out member as the ban answered it.
        var listed = (await (await App.User(crew.Moderator).Get($"{crew.Url}/members?limit=200")).Data()).EnumerateArray()
            .Single(m => m.Long("hub_user_id") == hubUserId);
        Assert.Equal(timedOut.GetRawText(), listed.GetRawText());
        await (await JoinVia("discord", discord, account)).Problem(HttpStatusCode.Forbidden, "member_banned");
        Assert.True((await Lookup("discord", discord, account)).Bool("banned"));

        App.Clock.Advance(TimeSpan.FromSeconds(299));
        await (await JoinVia("discord", discord, account)).Problem(HttpStatusCode.Forbidden, "member_banned");

        App.Clock.Advance(TimeSpan.FromSeconds(2));
        var joined = await (await JoinVia("discord", discord, account)).Data();
        Assert.Equal(hubUserId, joined.Long("hub_user_id"));
        Assert.Equal(JsonValueKind.Null, joined.GetProperty("member").GetProperty("ban").ValueKind);
        Assert.False((await Lookup("discord", discord, account)).Bool("banned"));
        Assert.Equal(JsonValueKind.Null, (await App.Member(crew.Community, hubUserId)).GetProperty("ban").ValueKind);
    }

    [Fact]
    public async Task ATimedOutModeratorCannotModerateUntilTheTimeoutEnds()
    {
        var (crew, twitch, _) = await TwoPlatformCommunity();
        var viewer = (await App.Join(twitch, Unique("tw"))).Long("hub_user_id");
        await (await App.User(crew.Admin).Post($"{crew.Url}/members/{crew.Moderator}/ban", new { reason = "cool off", duration_seconds = 60 })).Data();

        await (await App.User(crew.Moderator).DeleteAsync($"{crew.Url}/members/{viewer}", Ct)).Problem(HttpStatusCode.Forbidden, "insufficient_role");

        App.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal("removed", (await (await App.User(crew.Moderator).DeleteAsync($"{crew.Url}/members/{viewer}", Ct)).Data()).Str("status"));
    }

    /// <summary>A crew's community with a Twitch channel and a Discord server connected.</summary>
    private async Task<(Crew Crew, string Twitch, string Discord)> TwoPlatformCommunity()
    {
        var crew = await App.Crew();
        var (twitch, discord) = (Unique("chan"), Unique("guild"));
        await App.Connect(crew.Community, "twitch", twitch);
        await App.Connect(crew.Community, "discord", discord);
        return (crew, twitch, discord);
    }

    private Task<HttpResponseMessage> JoinVia(string platform, string channel, string account) =>
        App.Service().Post("/api/v1/members/join", new { platform, platform_community_id = channel, platform_user_id = account });

    private async Task<JsonElement> Lookup(string platform, string channel, string account) =>
        await (await App.Service().GetAsync($"/api/v1/lookup?platform={platform}&platform_community_id={channel}&platform_user_id={account}", Ct)).Data();
}

public sealed class BanTestsOnSqlite(SqliteApp app) : BanTests(app), IClassFixture<SqliteApp>;

public sealed class BanTestsOnPostgres(PostgresApp app) : BanTests(app), IClassFixture<PostgresApp>;
