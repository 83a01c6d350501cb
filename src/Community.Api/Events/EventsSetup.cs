using Community.Api.Hosting;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Community.Api.Events;

public static class EventsSetup
{
    /// <summary>The outbox's metrics and the webhook options (validated at start-up) and target policy.</summary>
    public static void AddEvents(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(WebhookOptions.Section);
        // Checked here too, so a bad value stops start-up with one sentence instead of a stack trace.
        if ((section.Get<WebhookOptions>() ?? new WebhookOptions()).Problem() is { } problem) throw new StartupConfigurationException(problem);
        builder.Services.AddOptions<WebhookOptions>().Bind(section)
            .Validate(o => o.Problem() is null, "The Webhooks section is invalid.").ValidateOnStart();

        builder.Services.AddSingleton<IInterceptor, EventMetricsInterceptor>();
        builder.Services.AddSingleton<WebhookTargets>();
    }
}
