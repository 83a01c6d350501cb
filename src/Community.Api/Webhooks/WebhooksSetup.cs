using System.Globalization;
using Community.Api.Hosting;
using Community.Api.Events;

namespace Community.Api.Webhooks;

public static class WebhooksSetup
{
    /// <summary>The webhook options (validated at start-up), the guarded HTTP client, the dispatcher and its wake-up on commit.</summary>
    public static void AddWebhooks(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(WebhookOptions.Section);
        builder.Services.AddCheckedOptions<WebhookOptions>(builder.Configuration, WebhookOptions.Section);
        // The binder silently drops list entries it cannot convert, which would quietly fall back to the standard schedule.
        if (section.GetSection(nameof(WebhookOptions.RetrySchedule)).GetChildren().Select(c => c.Value)
                .FirstOrDefault(v => !TimeSpan.TryParse(v, CultureInfo.InvariantCulture, out _)) is { } notATimeSpan)
            throw new StartupConfigurationException($"Webhooks:RetrySchedule has '{notATimeSpan}', which is not a TimeSpan such as 00:00:05 or 1.00:00:00.");

        builder.Services.AddSingleton<WebhookTargets>();
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddHttpClient(WebhookSender.ClientName, client =>
            {
                client.Timeout = Timeout.InfiniteTimeSpan; // the sender bounds each attempt by Webhooks:TimeoutSeconds
                client.DefaultRequestHeaders.UserAgent.ParseAdd($"{ServiceInfo.Module}/{ServiceInfo.Version}");
            })
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                ConnectCallback = sp.GetRequiredService<WebhookTargets>().ConnectAsync,
                // A proxy would be the connected address and hide the target; a redirect would leave the checked URL.
                UseProxy = false,
                AllowAutoRedirect = false,
                UseCookies = false,
            })
            .RemoveAllLoggers(); // the dispatcher logs each outcome once; four lines per attempt would drown it
        builder.Services.AddSingleton<WebhookDispatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        builder.Services.AddSingleton<ICommittedEventHandler, WakeOnCommit>();
    }
}
