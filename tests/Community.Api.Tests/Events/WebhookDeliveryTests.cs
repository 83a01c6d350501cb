using Community.Api.Webhooks;
using System.Net;
using Community.Api.Events;
using Community.Api.Security;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Community.Api.Tests.Events;

/// <summary>The dispatcher against a real HTTP receiver, one deterministic cycle at a time.</summary>
public abstract class WebhookDeliveryTests(TestApp app) : EventsTest(app)
{
    [Fact]
    public async Task AnEventProducesExactlyOneSignedDelivery()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var communityId = (await App.Community()).Long("id");
        var subscription = await SubscribeAsync(receiver, communityId);
        var connection = await App.Connect(communityId);

        await DrainAsync();
        await DrainAsync();

        var got = Assert.Single(receiver.Received);
        Assert.True(got.SignatureValid);
        Assert.Equal("platform.connected", got.Type);
        Assert.Equal(communityId, got.CommunityId);
        var data = got.Json.GetProperty("data");
        Assert.Equal(data.Str("occurred_at"), got.Json.Str("timestamp"));
        Assert.Equal(connection.Str("platform_community_id"), data.GetProperty("data").GetProperty("connection").Str("platform_community_id"));
        Assert.InRange(got.Timestamp, App.Clock.GetUtcNow().ToUnixTimeSeconds() - 60, App.Clock.GetUtcNow().ToUnixTimeSeconds());

        var delivery = Assert.Single(await DeliveriesAsync(subscription.Long("id")));
        Assert.Equal($"msg_{delivery.Long("id")}", got.WebhookId);
        Assert.Equal(got.EventId, delivery.Long("event_id"));
        Assert.Equal("platform.connected", delivery.Str("event_type"));
        Assert.Equal("delivered", delivery.Str("status"));
        Assert.Equal(1, delivery.Int("attempts"));
        Assert.Equal(200, delivery.Int("last_status_code"));
        Assert.EndsWith("Z", delivery.Str("delivered_at"));

        var metrics = await App.Anonymous().GetStringAsync("/metrics", Ct);
        Assert.Contains("waddlebot_webhook_deliveries_total{result=\"delivered\"}", metrics);
        Assert.Contains("waddlebot_webhook_retry_backlog", metrics);
        Assert.Contains("waddlebot_webhook_oldest_undelivered_age_seconds", metrics);
    }

    [Fact]
    public async Task FailingTwiceThenSucceedingDeliversOnTheThirdAttemptWithTheSameId()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (_, seen) => seen <= 2 ? 500 : 200;
        var communityId = (await App.Community()).Long("id");
        // Only the settings change: a subscription starts at the feed horizon, so an event committed just before it
        // (community.created) can still reach it while another transaction on the server holds the horizon back.
        var subscriptionId = (await SubscribeAsync(receiver, communityId, ["settings.updated"])).Long("id");
        await PatchSettingsAsync(communityId, "retry me");

        await DrainAsync();
        var first = Assert.Single(await DeliveriesAsync(subscriptionId));
        Assert.Equal(("pending", 1, 500), (first.Str("status"), first.Int("attempts"), first.Int("last_status_code")));
        Assert.Equal(App.Clock.GetUtcNow().UtcDateTime + EventTestSettings.Schedule[0], first.GetProperty("next_attempt_at").GetDateTime(), TimeSpan.FromSeconds(30));

        await DrainAsync(); // not due yet: nothing is sent
        Assert.Single(receiver.Received);

        App.Clock.Advance(EventTestSettings.Schedule[0]);
        await DrainAsync();
        Assert.Equal(2, receiver.Received.Count);
        App.Clock.Advance(EventTestSettings.Schedule[1]);
        await DrainAsync();

        var attempts = receiver.Received;
        Assert.Equal([500, 500, 200], attempts.Select(a => a.AnsweredWith));
        Assert.All(attempts, a => Assert.True(a.SignatureValid));
        Assert.Single(attempts.Select(a => a.WebhookId).Distinct());
        Assert.Single(attempts.Select(a => a.Body).Distinct());
        var delivered = Assert.Single(await DeliveriesAsync(subscriptionId));
        Assert.Equal(("delivered", 3), (delivered.Str("status"), delivered.Int("attempts")));
    }

    [Fact]
    public async Task GoneDisablesTheSubscription()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (_, _) => 410;
        var communityId = (await App.Community()).Long("id");
        var subscriptionId = (await SubscribeAsync(receiver, communityId)).Long("id");
        await PatchSettingsAsync(communityId, "gone");
        await DrainAsync();

        var delivery = Assert.Single(await DeliveriesAsync(subscriptionId));
        Assert.Equal(("failed", 410), (delivery.Str("status"), delivery.Int("last_status_code")));
        var subscription = await (await App.Service().GetAsync($"/api/v1/webhooks/{subscriptionId}", Ct)).Data();
        Assert.False(subscription.Bool("is_active"));
        Assert.Contains("410", subscription.Str("disabled_reason"));

        await PatchSettingsAsync(communityId, "still gone");
        await DrainAsync();
        Assert.Single(receiver.Received);
        await (await App.Service().Post($"/api/v1/webhooks/{subscriptionId}/deliveries/{delivery.Long("id")}/retry", new { }))
            .Problem(HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task AnExhaustedDeliveryFailsStopsBlockingAndCanBeRetriedByHand()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (r, _) => r.Type == "settings.updated" ? 500 : 200;
        var communityId = (await App.Community()).Long("id");
        var subscriptionId = (await SubscribeAsync(receiver, communityId)).Long("id");
        await PatchSettingsAsync(communityId, "always fails");
        await App.Connect(communityId); // same community: waits behind the failing one

        await DrainAsync();
        foreach (var delay in EventTestSettings.Schedule)
        {
            Assert.DoesNotContain(receiver.Received, r => r.Type == "platform.connected");
            App.Clock.Advance(delay);
            await DrainAsync();
        }

        Assert.Equal(["settings.updated", "settings.updated", "settings.updated", "settings.updated", "platform.connected"], receiver.Received.Select(r => r.Type));
        var deliveries = await DeliveriesAsync(subscriptionId); // newest first
        Assert.Equal(("delivered", 1), (deliveries[0].Str("status"), deliveries[0].Int("attempts")));
        var failed = deliveries[1];
        Assert.Equal(("failed", 4, 500), (failed.Str("status"), failed.Int("attempts"), failed.Int("last_status_code")));

        receiver.Answer = (_, _) => 200;
        var retryUrl = $"/api/v1/webhooks/{subscriptionId}/deliveries/{failed.Long("id")}/retry";
        var retried = await (await App.Service().Post(retryUrl, new { })).Data();
        Assert.Equal("pending", retried.Str("status"));
        await DrainAsync();
        Assert.Equal(failed.Long("id"), long.Parse(receiver.Received[^1].WebhookId["msg_".Length..]));
        Assert.Equal("delivered", (await DeliveriesAsync(subscriptionId))[1].Str("status"));

        await (await App.Service().Post(retryUrl, new { })).Problem(HttpStatusCode.Conflict, "conflict");
        await (await App.Service().Post($"/api/v1/webhooks/{subscriptionId}/deliveries/999999/retry", new { })).Problem(HttpStatusCode.NotFound, "not_found");
    }

    /// <summary>
    /// A host that passed the check at creation may later resolve to an internal address (DNS rebinding). The
    /// subscription is written straight to the database, as if its name had resolved elsewhere when it was created.
    /// The delivery log (readable by the community's admins) says why, but not where the name pointed.
    /// </summary>
    [Fact]
    public async Task AnInternalAddressIsRefusedAtConnectTime()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var communityId = (await App.Community()).Long("id");
        var subscriptionId = await InsertSubscriptionAsync($"http://localhost:{new Uri(receiver.Url).Port}/hook", communityId);
        await PatchSettingsAsync(communityId, "rebound");
        await DrainAsync();

        Assert.Empty(receiver.Received);
        var delivery = Assert.Single(await DeliveriesAsync(subscriptionId));
        Assert.Equal(("pending", 1), (delivery.Str("status"), delivery.Int("attempts")));
        Assert.Contains("internal addresses", delivery.Str("last_error"));
        foreach (var address in await Dns.GetHostAddressesAsync("localhost", Ct))
            Assert.DoesNotContain(address.ToString(), delivery.Str("last_error"));
    }

    /// <summary>The same loopback address in the IPv6 forms that embed an IPv4 address; none may be connected to.</summary>
    [Theory]
    [InlineData("[::127.0.0.1]")]
    [InlineData("[::ffff:0:7f00:1]")]
    [InlineData("[64:ff9b::7f00:1]")]
    [InlineData("[2002:7f00:1::]")]
    [InlineData("[2001:0:4136:e378:8000:63bf:80ff:fffe]")]
    public async Task IPv6FormsOfAnInternalAddressAreRefusedAtConnectTime(string host)
    {
        var communityId = (await App.Community()).Long("id");
        var subscriptionId = await InsertSubscriptionAsync($"http://{host}:9/hook", communityId);
        await PatchSettingsAsync(communityId, "embedded");
        await DrainAsync();

        var delivery = Assert.Single(await DeliveriesAsync(subscriptionId));
        Assert.Equal(("pending", 1), (delivery.Str("status"), delivery.Int("attempts")));
        Assert.Contains("internal address", delivery.Str("last_error"));
    }

    /// <summary>Writes a subscription past the API's checks, as one created when its host still resolved elsewhere.</summary>
    private async Task<long> InsertSubscriptionAsync(string url, long communityId)
    {
        var sealedSecret = App.Services.GetRequiredService<SecretProtector>().Protect(WebhookSigning.NewSecret());
        var last = await LastEventIdAsync();
        return await App.Db(async db =>
        {
            var s = new WebhookSubscription
            {
                Url = url, EventTypesJson = "[]", CommunityId = communityId, CreatedBy = "test",
                SecretCiphertext = sealedSecret, CreatedAt = DateTime.UtcNow, LastEventId = last,
            };
            db.WebhookSubscriptions.Add(s);
            await db.SaveChangesAsync();
            return s.Id;
        });
    }

    [Fact]
    public async Task NoAnswerWithinTheTimeoutIsAFailedAttempt()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var release = new TaskCompletionSource();
        receiver.Delay = () => release.Task;
        var communityId = (await App.Community()).Long("id");
        var subscriptionId = (await SubscribeAsync(receiver, communityId)).Long("id");
        await PatchSettingsAsync(communityId, "slow");

        // A dispatcher of its own with a one-second timeout, over the app's database and services.
        var configured = App.Services.GetRequiredService<IOptions<WebhookOptions>>().Value;
        var impatient = Options.Create(new WebhookOptions { TimeoutSeconds = 1, AllowedHosts = configured.AllowedHosts, RetrySchedule = configured.RetrySchedule });
        var dispatcher = ActivatorUtilities.CreateInstance<WebhookDispatcher>(App.Services, ActivatorUtilities.CreateInstance<WebhookSender>(App.Services, impatient), impatient);
        await HorizonPassedAsync(); // one cycle only, so the event must already be below the feed horizon
        await dispatcher.RunOnceAsync(Ct);
        release.SetResult();

        var delivery = Assert.Single(await DeliveriesAsync(subscriptionId));
        Assert.Equal(("pending", 1), (delivery.Str("status"), delivery.Int("attempts")));
        Assert.Contains("No answer within 1 s", delivery.Str("last_error"));
    }

    [Fact]
    public async Task AGlobalSubscriptionGetsItsTypesFromEveryCommunity()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await SubscribeAsync(receiver, types: ["platform.connected"]);
        var first = (await App.Community()).Long("id");
        var second = (await App.Community()).Long("id");
        await App.Connect(first);
        await PatchSettingsAsync(first, "not subscribed");
        await App.Connect(second);
        await DrainAsync();

        Assert.All(receiver.Received, r => Assert.Equal("platform.connected", r.Type));
        Assert.Equal([first, second], receiver.Received.Select(r => r.CommunityId!.Value).Order());
    }
}

public sealed class WebhookDeliveryTestsOnSqlite(EventsSqliteApp app) : WebhookDeliveryTests(app), IClassFixture<EventsSqliteApp>;

public sealed class WebhookDeliveryTestsOnPostgres(EventsPostgresApp app) : WebhookDeliveryTests(app), IClassFixture<EventsPostgresApp>;
