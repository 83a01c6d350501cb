using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Community.Api.Operations;

/// <summary>Warns when the working set passes 90% of the memory the runtime may use (the container limit when there is one).</summary>
public sealed class MemoryHealthCheck : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
    {
        var limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        var high = limit > 0 && Environment.WorkingSet > limit * 0.9;
        return Task.FromResult(high ? new HealthCheckResult(context.Registration.FailureStatus) : HealthCheckResult.Healthy());
    }
}
