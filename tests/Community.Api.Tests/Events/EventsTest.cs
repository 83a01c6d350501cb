using Community.Api.Webhooks;
using System.Net;
using System.Text.Json;
using Community.Api.Events;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Api.Tests.Events;

/// <summary>Helpers shared by the event and webhook tests: producing events, subscribing a receiver, driving the dispatcher.</summary>
public abstract class EventsTest(TestApp app) : ApiTest(app)
{
    protected WebhookDispatcher Dispatcher => App.Services.GetRequiredService<WebhookDispatcher>();

    /// <summary>
    /// Waits until every committed event lies below the feed horizon. The horizon is cluster-wide on PostgreSQL, so
    /// another test class's transaction still in progress elsewhere can hold this database's new events back a moment.
    /// </summary>
    protected async Task HorizonPassedAsync()
    {
        var horizon = await App.Db(db => FeedHorizon.ReadAsync(db, TimeSpan.FromSeconds(10), Ct));
        Assert.False(horizon.HoldsBack, "Committed events stayed above the feed horizon for 10 s.");
    }

    protected async Task<long> LastEventIdAsync() => await App.Db(db => db.Events.MaxAsync(e => (long?)e.Id)) ?? 0;

    /// <summary>Changes the welcome message: one <c>settings.updated</c> event.</summary>
    protected async Task PatchSettingsAsync(long communityId, string message, HttpClient? client = null) =>
        await (await (client ?? App.Service()).Patch($"/api/v1/communities/{communityId}/settings", new { welcome_message = message })).Data();

    /// <summary>Subscribes <paramref name="receiver"/> and hands it the secret; returns the create response.</summary>
    protected async Task<JsonElement> SubscribeAsync(WebhookReceiver receiver, long? communityId = null, string[]? types = null, HttpClient? client = null)
    {
        // A subscription starts at the feed horizon, which another test's open transaction on the shared server can
        // hold below events committed just now (community.created, say); wait until they are final, so the
        // subscription starts after everything the test did before it.
        await App.Db(db => FeedHorizon.ReadAsync(db, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        var body = new Dictionary<string, object?> { ["url"] = receiver.Url, ["event_types"] = types ?? [] };
        if (communityId is not null) body["community_id"] = communityId;
        var created = await (await (client ?? App.Service()).Post("/api/v1/webhooks", body)).Data(HttpStatusCode.Created);
        receiver.Secret = created.Str("secret");
        return created;
    }

    protected async Task<JsonElement[]> DeliveriesAsync(long subscriptionId) =>
        (await (await App.Service().GetAsync($"/api/v1/webhooks/{subscriptionId}/deliveries?limit=200", Ct)).Data()).EnumerateArray().ToArray();

    /// <summary>Removes the test's subscriptions, so its leftover deliveries never reach the next test's cycles.</summary>
    public override async ValueTask DisposeAsync()
    {
        if (App.SkipReason is null) await App.Db(db => db.WebhookSubscriptions.ExecuteDeleteAsync());
        await base.DisposeAsync();
    }

    /// <summary>Runs dispatcher cycles until one makes no attempt (bounded: a stuck dispatcher fails the test instead of hanging it).</summary>
    protected async Task DrainAsync(WebhookDispatcher? dispatcher = null)
    {
        await HorizonPassedAsync();
        for (var cycle = 0; cycle < 50; cycle++)
            if (await (dispatcher ?? Dispatcher).RunOnceAsync(Ct) == 0) return;
        Assert.Fail("The dispatcher still had work after 50 cycles.");
    }
}
