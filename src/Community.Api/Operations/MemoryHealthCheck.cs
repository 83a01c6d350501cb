using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Community.Api.Operations;

/// <summary>Warns when the working set passes <see cref="HealthOptions.MemoryPercent"/> of the memory the runtime may use (the container limit when there is one).</summary>
public sealed class MemoryHealthCheck(IOptions<HealthOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
    {
        var limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        var high = limit > 0 && Environment.WorkingSet > limit * options.Value.MemoryPercent / 100.0;
        return Task.FromResult(high ? new HealthCheckResult(context.Registration.FailureStatus) : HealthCheckResult.Healthy());
    }
}
