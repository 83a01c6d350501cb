using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Community.Api.Operations;

/// <summary>Warns when the process used more than <see cref="HealthOptions.CpuPercent"/> of all cores since the previous check.</summary>
public sealed class CpuHealthCheck(IOptions<HealthOptions> options) : IHealthCheck
{
    private readonly CpuUsage _usage = new();

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
    {
        var busy = _usage.SamplePercent() / Environment.ProcessorCount > options.Value.CpuPercent;
        return Task.FromResult(busy ? new HealthCheckResult(context.Registration.FailureStatus) : HealthCheckResult.Healthy());
    }
}
