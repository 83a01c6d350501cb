using System.Diagnostics;
using Community.Api.Hosting;
using Prometheus;

namespace Community.Api.Operations;

/// <summary>The fleet's process series, read from the process when <c>/metrics</c> is scraped.</summary>
public static class ProcessMetrics
{
    private static readonly Gauge Memory = Metrics.CreateGauge("waddlebot_memory_bytes", "Memory usage in bytes (rss: resident, vms: virtual).", "module", "type");
    private static readonly Gauge Cpu = Metrics.CreateGauge("waddlebot_cpu_percent",
        "CPU use since the previous scrape, in percent of one core (as psutil reports it).", "module");
    private static readonly Gauge OpenFiles = Metrics.CreateGauge("waddlebot_open_files", "Number of open file descriptors.", "module");
    private static readonly Gauge Threads = Metrics.CreateGauge("waddlebot_threads", "Number of threads.", "module");
    private static readonly CpuUsage CpuUsage = new();

    internal static void Refresh()
    {
        using var process = Process.GetCurrentProcess();
        Memory.WithLabels(ServiceInfo.Module, "rss").Set(process.WorkingSet64);
        Memory.WithLabels(ServiceInfo.Module, "vms").Set(process.VirtualMemorySize64);
        Cpu.WithLabels(ServiceInfo.Module).Set(CpuUsage.SamplePercent());
        OpenFiles.WithLabels(ServiceInfo.Module).Set(process.HandleCount);
        Threads.WithLabels(ServiceInfo.Module).Set(process.Threads.Count);
    }
}
