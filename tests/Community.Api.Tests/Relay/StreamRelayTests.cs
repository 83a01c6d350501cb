using System.Net;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Relay;

/// <summary>
/// The relay seen from the fleet: a consumer group on the stream reads the events the API calls committed, in the
/// pipeline's entry format, and the relay reports itself caught up.
/// </summary>
public abstract class StreamRelayTests(TestApp app) : RelayTest(app)
{
    [Fact]
    public async Task AConsumerGroupReadsMemberJoinedWithTheWelcomeMessageAfterAJoin()
    {
        await using var consumer = await ConsumerAsync();
        var (communityId, channel) = await App.ConnectedCommunity();
        var name = (await (await App.Service().GetAsync($"/api/v1/communities/{communityId}", Ct)).Data()).Str("display_name");

        var hubUserId = (await App.Join(channel, Unique("viewer"), username: "Mallard")).Long("hub_user_id");

        var received = await consumer.UntilAsync(r => r.Any(m => m.Type == "member.joined" && m.CommunityId == communityId),
            "member.joined never reached the consumer group", Ct);
        var joined = Assert.Single(received, m => m.Type == "member.joined" && m.CommunityId == communityId);
        Assert.Equal($"Welcome to {name}, Mallard!", joined.Data.Str("welcome_message"));
        Assert.Equal("twitch", joined.Data.Str("platform"));
        Assert.Equal(hubUserId, joined.Data.GetProperty("member").Long("hub_user_id"));
        Assert.Equal((await App.Events(communityId, "member.joined")).Single().Id, joined.Id);
        await AssertMatchesTheOutbox(received);
        Assert.Equal(0, await consumer.PendingAsync());
    }

    [Fact]
    public async Task AConsumerGroupReadsMemberBannedWithThePlatformsToSyncAfterABan()
    {
        await using var consumer = await ConsumerAsync();
        var (communityId, channel) = await App.ConnectedCommunity();
        var server = $"guild-{Guid.NewGuid():N}";
        await App.Connect(communityId, "discord", server);
        var twitchAccount = Unique("twitch-acct");
        var hubUserId = (await App.Join(channel, twitchAccount)).Long("hub_user_id");
        var discordAccount = Unique("discord-acct");
        await (await App.Service().Post($"/api/v1/users/{hubUserId}/identities", new { platform = "discord", platform_user_id = discordAccount }))
            .Data(HttpStatusCode.Created);

        await (await App.Service().Post($"/api/v1/communities/{communityId}/members/{hubUserId}/ban", new { reason = "raid" })).Data();

        var received = await consumer.UntilAsync(r => r.Any(m => m.Type == "member.banned" && m.CommunityId == communityId),
            "member.banned never reached the consumer group", Ct);
        var banned = Assert.Single(received, m => m.Type == "member.banned" && m.CommunityId == communityId);
        var platforms = banned.Data.GetProperty("platforms").EnumerateArray().ToList();
        Assert.Equal(2, platforms.Count);
        var discord = Assert.Single(platforms, p => p.Str("platform") == "discord");
        Assert.Equal(server, discord.Str("platform_community_id"));
        Assert.Equal([discordAccount], discord.GetProperty("platform_user_ids").EnumerateArray().Select(a => a.GetString()));
        var twitch = Assert.Single(platforms, p => p.Str("platform") == "twitch");
        Assert.Equal(channel, twitch.Str("platform_community_id"));
        Assert.Equal([twitchAccount], twitch.GetProperty("platform_user_ids").EnumerateArray().Select(a => a.GetString()));
        await AssertMatchesTheOutbox(received);
    }

    [Fact]
    public async Task EveryCommittedEventReachesTheStreamOnceInIdOrderAndTheRelayReportsItselfCaughtUp()
    {
        await using var consumer = await ConsumerAsync();
        var (communityId, channel) = await App.ConnectedCommunity();
        for (var i = 0; i < 5; i++) await App.Join(channel, Unique("viewer"));
        await App.Settings(communityId, new() { ["welcome_message"] = "Hi {user}" });

        var ids = await EventIdsAsync();
        var received = await consumer.UntilAllAsync(ids, Ct);
        Assert.Equal(ids, received.Select(m => m.Id).Take(ids.Count)); // one instance, no faults: no repeats
        await AssertMatchesTheOutbox(received);

        await CaughtUpAsync("the stored position never reached the last event");
        Assert.Equal((HttpStatusCode.OK, "ok"), await HealthzAsync(App));
        await Until(async () => await MetricAsync(App, "waddlebot_relay_lag_events") == 0, "the lag in events never read 0");
        Assert.Equal(0, await MetricAsync(App, "waddlebot_relay_lag_seconds"));
        Assert.True(await MetricAsync(App, "waddlebot_relay_appended_total") >= ids.Count);
    }
}

public sealed class StreamRelayTestsOnSqlite(RelaySqliteApp app) : StreamRelayTests(app), IClassFixture<RelaySqliteApp>;

public sealed class StreamRelayTestsOnPostgres(RelayPostgresApp app) : StreamRelayTests(app), IClassFixture<RelayPostgresApp>;
