using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Community.Api.Operations;

/// <summary>Warns when the process used more than 90% of all cores since the previous check.</summary>
public sealed class CpuHealthCheck : IHealthCheck
{
    private readonly CpuUsage _usage = new();

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
    {
        var busy = _usage.SamplePercent() / Environment.ProcessorCount > 90;
        return Task.FromResult(busy ? new HealthCheckResult(context.Registration.FailureStatus) : HealthCheckResult.Healthy());
    }
}
