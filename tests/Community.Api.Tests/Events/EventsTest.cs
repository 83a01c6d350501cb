using System.Net;
using System.Text.Json;
using Community.Api.Events;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Api.Tests.Events;

/// <summary>Helpers shared by the event and webhook tests.</summary>
public abstract class EventsTest(TestApp app) : ApiTest(app)
{
    protected async Task<long> LastEventIdAsync() => await App.Db(db => db.Events.MaxAsync(e => (long?)e.Id)) ?? 0;

    /// <summary>Changes the welcome message: one <c>settings.updated</c> event.</summary>
    protected async Task PatchSettingsAsync(long communityId, string message, HttpClient? client = null) =>
        await (await (client ?? App.Service()).Patch($"/api/v1/communities/{communityId}/settings", new { welcome_message = message })).Data();

    /// <summary>Removes the test's subscriptions, so its leftover deliveries never reach the next test's cycles.</summary>
    public override async ValueTask DisposeAsync()
    {
        if (App.SkipReason is null) await App.Db(db => db.WebhookSubscriptions.ExecuteDeleteAsync());
        await base.DisposeAsync();
    }
}
