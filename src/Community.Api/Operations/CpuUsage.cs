using System.Diagnostics;

namespace Community.Api.Operations;

/// <summary>
/// The process's CPU use between two samples, as psutil's <c>Process.cpu_percent()</c> reports it: 100 is one core
/// fully busy, so a busy process on N cores reads up to N × 100. The first sample covers the time since the process started.
/// </summary>
public sealed class CpuUsage
{
    private readonly Lock _lock = new();
    private (TimeSpan Wall, TimeSpan Cpu) _last = (TimeSpan.Zero, TimeSpan.Zero);

    public double SamplePercent()
    {
        using var process = Process.GetCurrentProcess();
        var wall = DateTime.Now - process.StartTime;
        var cpu = process.TotalProcessorTime;
        lock (_lock)
        {
            var elapsed = (wall - _last.Wall).TotalSeconds;
            var percent = elapsed > 0 ? (cpu - _last.Cpu).TotalSeconds / elapsed * 100 : 0;
            _last = (wall, cpu);
            return Math.Max(0, percent);
        }
    }
}
