using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Community.Api.Events;

public static class EventsSetup
{
    /// <summary>The outbox's metrics.</summary>
    public static void AddEvents(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IInterceptor, EventMetricsInterceptor>();
    }
}
