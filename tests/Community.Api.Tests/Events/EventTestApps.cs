using Community.Api.Events;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Api.Tests.Events;

/// <summary>Configuration of the event test apps: targets on 127.0.0.1 are allowed.</summary>
public static class EventTestSettings
{
    public static Dictionary<string, string?> Driven() => new()
    {
        ["Webhooks:AllowedHosts:0"] = "127.0.0.1",
    };

    /// <summary>Makes any unit of work that saves a community.created event for a community named with this prefix fail before it commits.</summary>
    public const string PoisonPrefix = "rollback-";

    public static void AddPoison(IServiceCollection services) => services.AddSingleton<IInterceptor, PoisonEventInterceptor>();

    private sealed class PoisonEventInterceptor : SaveChangesInterceptor
    {
        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
        {
            var poisoned = eventData.Context!.ChangeTracker.Entries<OutboxEvent>().Any(e => e.State == EntityState.Added
                && e.Entity.Type == EventTypes.CommunityCreated && e.Entity.DataJson.Contains($"\"name\":\"{PoisonPrefix}"));
            return poisoned ? throw new InvalidOperationException("Test interceptor: this event must not be saved.") : ValueTask.FromResult(result);
        }
    }
}

public sealed class EventsSqliteApp : SqliteApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => EventTestSettings.Driven();
    protected override void ConfigureServices(IServiceCollection services) => EventTestSettings.AddPoison(services);
}

public sealed class EventsPostgresApp : PostgresApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => EventTestSettings.Driven();
    protected override void ConfigureServices(IServiceCollection services) => EventTestSettings.AddPoison(services);
}
