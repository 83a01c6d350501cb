using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Community.Api.Events;

public static class EventsSetup
{
    /// <summary>The outbox: the journal that records events with each write, and what follows each commit (metrics here; others register their own handlers).</summary>
    public static void AddEvents(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<Journal>();
        builder.Services.AddSingleton<CommittedEvents>();
        builder.Services.AddSingleton<IInterceptor>(sp => sp.GetRequiredService<CommittedEvents>());
        builder.Services.AddSingleton<ICommittedEventHandler, Operations.EventMetrics>();
    }
}
