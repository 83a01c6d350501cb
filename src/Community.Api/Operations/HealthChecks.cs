using Community.Api.Data;
using Community.Api.Data.Replica;
using Community.Api.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Community.Api.Operations;

/// <summary>
/// The checks behind <c>/healthz</c>, run by ASP.NET Core's health check service: the database (unhealthy when it
/// fails), Redis when configured, memory and CPU (degraded when they fail).
/// </summary>
public static class HealthChecks
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public static void AddServiceHealthChecks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCheckedOptions<HealthOptions>(configuration, HealthOptions.Section);
        var checks = services.AddHealthChecks()
            // A real round trip that also proves the schema is there, not just that a socket opens.
            .AddDbContextCheck<CommunityDb>("database", HealthStatus.Unhealthy,
                customTestQuery: async (db, ct) =>
                {
                    await db.Communities.AnyAsync(ct);
                    return true;
                })
            .AddCheck<MemoryHealthCheck>("memory", HealthStatus.Degraded)
            .AddCheck<CpuHealthCheck>("cpu", HealthStatus.Degraded);
        // Redis is an accelerator: while it is down the service still answers correctly, so it only degrades.
        if (services.Any(d => d.ServiceType == typeof(IConnectionMultiplexer)))
            checks.AddRedis(sp => sp.GetRequiredService<IConnectionMultiplexer>(), "redis", HealthStatus.Degraded);
        // The replica is reported but never degrades readiness: while it is skipped the primary answers, correctly.
        if (services.Any(d => d.ServiceType == typeof(ReplicaMonitor)))
            checks.AddCheck<ReplicaHealthCheck>("replica", HealthStatus.Healthy);
        // Past this a check is reported as "timeout" and readiness does not wait on it.
        services.Configure<HealthCheckServiceOptions>(o =>
        {
            foreach (var registration in o.Registrations) registration.Timeout = Timeout;
        });
        services.AddSingleton<CpuHealthCheck>();
    }

    /// <summary>The fleet's word for a check's outcome; never an exception's text, which may carry internals.</summary>
    public static string Outcome(HealthReportEntry entry) => entry switch
    {
        { Status: HealthStatus.Healthy, Description: { } word } => word, // the replica's own word: ok, lagging, unreachable…
        { Status: HealthStatus.Healthy } => "ok",
        { Exception: OperationCanceledException } => "timeout",
        { Exception: not null } => "unreachable",
        _ => "warning",
    };

    public static string Status(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
