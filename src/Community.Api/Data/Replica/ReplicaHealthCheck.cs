using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Community.Api.Data.Replica;

/// <summary>
/// The replica in <c>/healthz</c>: its state (<c>ok</c>, <c>lagging</c>, <c>unreachable</c>, <c>not_a_standby</c>,
/// <c>starting</c>) and lag. Always healthy: a replica that is skipped costs the primary some reads but every answer
/// stays correct, so it must not take instances out of readiness (which would turn a replica outage into an outage).
/// </summary>
public sealed class ReplicaHealthCheck(ReplicaMonitor monitor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = monitor.Now;
        var word = now.State switch
        {
            ReplicaState.Serving => "ok",
            ReplicaState.Lagging => "lagging",
            ReplicaState.Unreachable => "unreachable",
            ReplicaState.NotAStandby => "not_a_standby",
            _ => "starting",
        };
        var data = new Dictionary<string, object>();
        if (now.Lag is { } lag) data["lag_seconds"] = Math.Round(lag.TotalSeconds, 3);
        return Task.FromResult(HealthCheckResult.Healthy(word, data));
    }
}
