using Community.Api.Hosting;
using Prometheus;

namespace Community.Api.Operations;

/// <summary>What <c>/metrics</c> exports: the fleet's series and ours, nothing the runtime adds on its own.</summary>
public static class MetricsSetup
{
    private static int _configured;

    /// <summary>
    /// Configures prometheus-net's process-wide registry, once however many apps a process hosts (the tests host many).
    /// The runtime's meters and event counters stay out: their labels carry values callers choose (the
    /// <c>dns.question.name</c> of every host the service resolved, webhook targets included) and grow without bound.
    /// </summary>
    public static void ConfigureRegistry()
    {
        if (Interlocked.Exchange(ref _configured, 1) == 1) return;
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions
        {
            SuppressMeters = true,
            SuppressEventCounters = true,
            SuppressDebugMetrics = true,
            SuppressProcessMetrics = false, // process_* and dotnet_*: fixed label sets
        });
        ServiceMetrics.Info.WithLabels(ServiceInfo.Module, ServiceInfo.Version).Set(1);
        Metrics.DefaultRegistry.AddBeforeCollectCallback(ProcessMetrics.Refresh);
        Metrics.DefaultRegistry.AddBeforeCollectCallback(RequestMetrics.CountOutcomes);
    }
}
