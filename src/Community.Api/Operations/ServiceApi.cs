using Community.Api.Hosting;
using Community.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Prometheus;
using Scalar.AspNetCore;

namespace Community.Api.Operations;

/// <summary>The open endpoints: health, metrics, status, the OpenAPI document and its reference page.</summary>
public static class ServiceApi
{
    public sealed record HealthResponse(string Status, string Module, string Version, DateTime Timestamp);
    public sealed record HealthzResponse(string Status, string Module, string Version, Dictionary<string, string> Checks, DateTime Timestamp);
    public sealed record StatusResponse(string Status, string Module, string Version);

    public static void AddServiceApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<HealthProbe>();
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer<OpenApiSecurity>().AddSchemaTransformer<OpenApiOptionalFields>());
    }

    public static void MapServiceApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", Health).AllowAnonymous().WithTags("Service").DisableRateLimiting();
        app.MapGet("/healthz", Healthz).AllowAnonymous().WithTags("Service").DisableRateLimiting();
        app.MapGet("/api/v1/status", Status).AllowAnonymous().WithTags("Service").DisableRateLimiting();
        app.MapMetrics("/metrics").AllowAnonymous().DisableRateLimiting();
        app.MapOpenApi().AllowAnonymous().DisableRateLimiting();
        app.MapScalarApiReference("/docs", o => o.WithTitle("Community Module API")).AllowAnonymous().DisableRateLimiting();
    }

    private static Ok<HealthResponse> Health(TimeProvider clock) =>
        TypedResults.Ok(new HealthResponse("healthy", ServiceInfo.Module, ServiceInfo.Version, clock.UtcNow()));

    private static async Task<JsonHttpResult<HealthzResponse>> Healthz(HealthProbe probe, TimeProvider clock, CancellationToken ct)
    {
        var (status, checks) = await probe.CheckAsync(ct);
        return TypedResults.Json(new HealthzResponse(status, ServiceInfo.Module, ServiceInfo.Version, checks, clock.UtcNow()),
            statusCode: status == "unhealthy" ? 503 : 200);
    }

    private static Ok<Envelope<StatusResponse>> Status() =>
        TypedResults.Ok(Envelope.Of(new StatusResponse("operational", ServiceInfo.Module, ServiceInfo.Version)));
}
