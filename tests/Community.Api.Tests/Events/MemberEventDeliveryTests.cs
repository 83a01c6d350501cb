using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Events;

/// <summary>The seed data flow end to end: a connector's join reaches a webhook consumer as one welcome event, a ban as one sync event.</summary>
public abstract class MemberEventDeliveryTests(TestApp app) : EventsTest(app)
{
    [Fact]
    public async Task AJoinProducesExactlyOneMemberJoinedDeliveryWithTheWelcomeMessage()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (communityId, channel) = await App.ConnectedCommunity();
        var name = (await (await App.Service().GetAsync($"/api/v1/communities/{communityId}", Ct)).Data()).Str("display_name");
        await SubscribeAsync(receiver, communityId, ["member.joined"]);
        var account = Unique("viewer");

        var client = App.Service();
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.Post("/api/v1/members/join",
            new { platform = "twitch", platform_community_id = channel, platform_user_id = account, platform_username = "Mallard" })));
        await DrainAsync();

        var got = Assert.Single(receiver.Received);
        Assert.True(got.SignatureValid);
        Assert.Equal("member.joined", got.Type);
        var data = got.Json.GetProperty("data").GetProperty("data");
        Assert.Equal($"Welcome to {name}, Mallard!", data.Str("welcome_message"));
        Assert.Equal("twitch", data.Str("platform"));
        Assert.Equal("Mallard", data.GetProperty("member").Str("username"));
    }

    [Fact]
    public async Task ABanIsDeliveredWithEveryChannelAndAccountToApplyItTo()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (communityId, channel) = await App.ConnectedCommunity();
        var server = $"guild-{Guid.NewGuid():N}";
        await App.Connect(communityId, "discord", server);
        var hubUserId = (await App.Join(channel, Unique("twitch-acct"))).Long("hub_user_id");
        var discordAccount = Unique("discord-acct");
        await (await App.Service().Post($"/api/v1/users/{hubUserId}/identities", new { platform = "discord", platform_user_id = discordAccount })).Data(System.Net.HttpStatusCode.Created);
        await SubscribeAsync(receiver, communityId, ["member.banned", "member.unbanned"]);

        await (await App.Service().Post($"/api/v1/communities/{communityId}/members/{hubUserId}/ban", new { reason = "raid" })).Data();
        await App.Service().DeleteAsync($"/api/v1/communities/{communityId}/members/{hubUserId}/ban", Ct);
        await DrainAsync();

        Assert.Equal(["member.banned", "member.unbanned"], receiver.Received.Select(r => r.Type));
        foreach (var delivery in receiver.Received)
        {
            var platforms = delivery.Json.GetProperty("data").GetProperty("data").GetProperty("platforms").EnumerateArray().ToList();
            Assert.Equal(2, platforms.Count);
            var discord = Assert.Single(platforms, p => p.Str("platform") == "discord");
            Assert.Equal(server, discord.Str("platform_community_id"));
            Assert.Equal([discordAccount], discord.GetProperty("platform_user_ids").EnumerateArray().Select(a => a.GetString()));
            Assert.Equal(channel, Assert.Single(platforms, p => p.Str("platform") == "twitch").Str("platform_community_id"));
        }
    }
}

public sealed class MemberEventDeliveryTestsOnSqlite(EventsSqliteApp app) : MemberEventDeliveryTests(app), IClassFixture<EventsSqliteApp>;

public sealed class MemberEventDeliveryTestsOnPostgres(EventsPostgresApp app) : MemberEventDeliveryTests(app), IClassFixture<EventsPostgresApp>;
