using Community.Api.Events;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Api.Tests.Events;

/// <summary>
/// Configuration of the event test apps: the receiver on 127.0.0.1 is allowed, the background loop is off so tests
/// drive <see cref="WebhookDispatcher.RunOnceAsync"/> themselves, and the retry schedule is short (four attempts).
/// </summary>
public static class EventTestSettings
{
    public static readonly TimeSpan[] Schedule = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10), TimeSpan.FromHours(1)];

    public static Dictionary<string, string?> Driven() => new()
    {
        ["Webhooks:AllowedHosts:0"] = "127.0.0.1",
        ["Webhooks:DispatcherEnabled"] = "false",
        ["Webhooks:TimeoutSeconds"] = "30", // generous: a loaded machine must not turn a slow answer into a retry
        ["Webhooks:RetrySchedule:0"] = Schedule[0].ToString(),
        ["Webhooks:RetrySchedule:1"] = Schedule[1].ToString(),
        ["Webhooks:RetrySchedule:2"] = Schedule[2].ToString(),
    };

    /// <summary>As <see cref="Driven"/>, but the hosted dispatcher polls on its own every 50 ms.</summary>
    public static Dictionary<string, string?> Background() => new(Driven())
    {
        ["Webhooks:DispatcherEnabled"] = "true",
        ["Webhooks:PollIntervalMilliseconds"] = "50",
    };

    /// <summary>Makes any unit of work that saves a community.created event for a community named with this prefix fail before it commits.</summary>
    public const string PoisonPrefix = "rollback-";

    public static void AddPoison(IServiceCollection services) => services.AddSingleton<IInterceptor, PoisonEventInterceptor>();

    /// <summary>
    /// Holds every commit for a random 0–15 ms, so concurrent transactions commit in an order unlike the order they took
    /// their ids in: the feed's never-miss guarantee is then tested against the interleavings that could break it.
    /// </summary>
    public static void AddCommitJitter(IServiceCollection services) => services.AddSingleton<IInterceptor, CommitJitterInterceptor>();

    private sealed class CommitJitterInterceptor : DbTransactionInterceptor
    {
        public override async ValueTask<InterceptionResult> TransactionCommittingAsync(System.Data.Common.DbTransaction transaction,
            TransactionEventData eventData, InterceptionResult result, CancellationToken ct = default)
        {
            await Task.Delay(Random.Shared.Next(0, 16), ct);
            return result;
        }
    }

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
    protected internal override IReadOnlyDictionary<string, string?> Settings => EventTestSettings.Driven();
    protected override void ConfigureServices(IServiceCollection services) => EventTestSettings.AddPoison(services);
}

public sealed class EventsPostgresApp : PostgresApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => EventTestSettings.Driven();
    protected override void ConfigureServices(IServiceCollection services) => EventTestSettings.AddPoison(services);
}

public sealed class EventsPgBouncerApp : PgBouncerApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => EventTestSettings.Driven();
    protected override void ConfigureServices(IServiceCollection services) => EventTestSettings.AddPoison(services);
}

/// <summary>The event apps with <see cref="EventTestSettings.AddCommitJitter"/>, for the feed's never-miss tests.</summary>
public sealed class JitteredSqliteApp : SqliteApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => EventTestSettings.Driven();
    protected override void ConfigureServices(IServiceCollection services) => EventTestSettings.AddCommitJitter(services);
}

public sealed class JitteredPostgresApp : PostgresApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => EventTestSettings.Driven();
    protected override void ConfigureServices(IServiceCollection services) => EventTestSettings.AddCommitJitter(services);
}

public sealed class JitteredPgBouncerApp : PgBouncerApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => EventTestSettings.Driven();
    protected override void ConfigureServices(IServiceCollection services) => EventTestSettings.AddCommitJitter(services);
}

public sealed class BackgroundSqliteApp : SqliteApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => EventTestSettings.Background();
}

public sealed class BackgroundPostgresApp : PostgresApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => EventTestSettings.Background();
}

/// <summary>The hosted dispatcher on PostgreSQL behind a proxy the test can cut: for database outages during deliveries.</summary>
public sealed class BackgroundProxiedPostgresApp : ProxiedPostgresApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => EventTestSettings.Background();
}

/// <summary>The hosted dispatcher polling once a minute, so only a wake can make it deliver within a test.</summary>
public sealed class SlowPollSqliteApp : SqliteApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?>(EventTestSettings.Background()) { ["Webhooks:PollIntervalMilliseconds"] = "60000" };
}

public sealed class SlowPollPostgresApp : PostgresApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?>(EventTestSettings.Background()) { ["Webhooks:PollIntervalMilliseconds"] = "60000" };
}
