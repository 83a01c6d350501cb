using System.Text.Json.Serialization;
using Community.Api.ApiDescription;
using Community.Api.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Prometheus;

namespace Community.Api.Operations;

/// <summary>The open endpoints: health, metrics, status, the OpenAPI document and its reference page.</summary>
public static class ServiceApi
{
    public sealed record HealthResponse(string Status, string Module, string Version, DateTime Timestamp);
    public sealed record HealthzResponse(string Status, string Module, string Version, Dictionary<string, string> Checks, DateTime Timestamp)
    {
        /// <summary>With <c>DATABASE_READ_URL</c>: how far the replica is behind the primary (null while unknown); absent otherwise.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
        public ReplicaLag? Replica { get; init; }
    }

    public sealed record ReplicaLag(string State, double? LagSeconds);
    public sealed record StatusResponse(string Status, string Module, string Version, DateTime Timestamp);

    /// <summary>
    /// The fleet's <c>success_response</c>: the envelope plus a top-level <c>timestamp</c>, which the fleet's test script
    /// for this module requires.
    /// </summary>
    public sealed record StatusEnvelope(StatusResponse Data, DateTime Timestamp)
    {
        [JsonPropertyOrder(-1)]
        public bool Success => true;
    }

    public static void AddServiceApi(this WebApplicationBuilder builder)
    {
        MetricsSetup.ConfigureRegistry();
        builder.Services.AddServiceHealthChecks(builder.Configuration);
        builder.Services.AddCheckedOptions<MemoryOptions>(builder.Configuration, MemoryOptions.Section);
        builder.Services.AddHostedService<HeapCompactor>();
        builder.Services.AddApiDescription();
    }

    public static void MapServiceApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", Health).AllowAnonymous().WithTags("Service").DisableRateLimiting()
            .WithName("getHealth").WithSummary("Liveness")
            .WithDescription("Answers 200 while the process runs. It checks nothing else, so a database outage never gets the service restarted.");
        app.MapGet("/healthz", Healthz).AllowAnonymous().WithTags("Service").DisableRateLimiting()
            .WithName("getReadiness").WithSummary("Readiness")
            .WithDescription("""
                Runs the checks, as every fleet module answers readiness: 200 only when all are healthy, 503 when one is
                degraded (Redis, memory, CPU, the event relay when it is on) or unhealthy (the database). `checks` says
                which, with `ok`, `warning`, `timeout` or `unreachable` for each. A read replica is reported (`replica`: its state and lag) but never
                makes the service unready: while it is skipped the primary answers.
                """)
            .Produces<HealthzResponse>(StatusCodes.Status503ServiceUnavailable)
            .WithResponseNote(StatusCodes.Status200OK, "Every check is healthy.")
            .WithResponseNote(StatusCodes.Status503ServiceUnavailable, "A check is degraded or unhealthy; `checks` says which.");
        app.MapGet("/api/v1/status", Status).AllowAnonymous().WithTags("Service").DisableRateLimiting()
            .WithName("getStatus").WithSummary("Module status")
            .WithDescription("The fleet's status call: the module's name and version in the success envelope.");
        // MapMetrics answers any method; the fleet expects 405 for all but GET.
        app.MapMetrics("/metrics").WithMetadata(new HttpMethodMetadata(["GET"])).AllowAnonymous().DisableRateLimiting().NotCounted()
            .WithTags("Service").WithName("getMetrics").WithSummary("Prometheus metrics")
            .WithDescription("""
                The fleet's standard series (`waddlebot_info`, `waddlebot_requests_total`, `…_success_total`,
                `…_error_total`, memory, CPU, open files, threads), request duration histograms and the service's own
                counters (joins, events delivered, webhook failures, cache hits and misses), in the Prometheus text format.
                No label takes a value a caller chose.
                """)
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, contentTypes: ["text/plain"]));
        app.MapApiDescription();
    }

    /// <summary>Liveness: the process answers. It checks nothing else, so a database outage never restarts it.</summary>
    private static Ok<HealthResponse> Health(TimeProvider clock) =>
        TypedResults.Ok(new HealthResponse("healthy", ServiceInfo.Module, ServiceInfo.Version, clock.UtcNow()));

    /// <summary>
    /// Readiness, as every fleet module answers it: 200 only when healthy, 503 when degraded (Redis, memory, CPU) or
    /// unhealthy (the database). The body says which check failed either way.
    /// </summary>
    private static async Task<Results<Ok<HealthzResponse>, JsonHttpResult<HealthzResponse>>> Healthz(
        HealthCheckService health, TimeProvider clock, CancellationToken ct)
    {
        var report = await health.CheckHealthAsync(ct);
        var checks = report.Entries.ToDictionary(e => e.Key, e => HealthChecks.Outcome(e.Value));
        var replica = report.Entries.TryGetValue("replica", out var r)
            ? new ReplicaLag(checks["replica"], r.Data.TryGetValue("lag_seconds", out var lag) ? (double)lag : null)
            : null;
        var body = new HealthzResponse(HealthChecks.Status(report.Status), ServiceInfo.Module, ServiceInfo.Version, checks, clock.UtcNow()) { Replica = replica };
        return report.Status == HealthStatus.Healthy
            ? TypedResults.Ok(body)
            : TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static Ok<StatusEnvelope> Status(TimeProvider clock)
    {
        var now = clock.UtcNow();
        return TypedResults.Ok(new StatusEnvelope(new StatusResponse("operational", ServiceInfo.Module, ServiceInfo.Version, now), now));
    }
}
