using Community.Api.Events;
using Community.Api.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Community.Api.Relay;

public static class RelaySetup
{
    /// <summary>The relay into the fleet's Redis stream, its wake-up on commit and its <c>relay</c> health check; nothing when it is off.</summary>
    public static void AddRelay(this WebApplicationBuilder builder)
    {
        var options = builder.Services.AddCheckedOptions<RelayOptions>(builder.Configuration, RelayOptions.Section);
        var hasRedis = !string.IsNullOrWhiteSpace(builder.Configuration["REDIS_URL"]);
        if (options.Enabled == true && !hasRedis)
            throw new StartupConfigurationException("Relay:Enabled is true but REDIS_URL is unset: the relay appends to that Redis.");
        if (!(options.Enabled ?? hasRedis)) return;

        builder.Services.AddSingleton<StreamRelay>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StreamRelay>());
        builder.Services.AddSingleton<ICommittedEventHandler, RelayWakeOnCommit>();
        builder.Services.AddHealthChecks().AddCheck<RelayHealthCheck>("relay", HealthStatus.Degraded);
    }
}
