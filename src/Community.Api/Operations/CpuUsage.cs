using System.Diagnostics;

namespace Community.Api.Operations;

/// <summary>
/// The process's CPU use between two samples, as psutil's <c>Process.cpu_percent()</c> reports it: 100 is one core
/// fully busy, so a busy process on N cores reads up to N × 100. The first sample covers the time since the process started.
/// </summary>
/// <remarks>
/// Samples closer together than <see cref="MinimumWindow"/> repeat the last reading: processor time advances in
/// scheduler ticks, so a window of a few milliseconds can read as several cores busy and make a probe storm flap
/// the health check. Readings are capped at every core fully busy for the same reason.
/// </remarks>
public sealed class CpuUsage
{
    private static readonly TimeSpan MinimumWindow = TimeSpan.FromSeconds(1);
    private readonly Lock _lock = new();
    private (TimeSpan Wall, TimeSpan Cpu) _last = (TimeSpan.Zero, TimeSpan.Zero);
    private double _percent;

    public double SamplePercent()
    {
        using var process = Process.GetCurrentProcess();
        var wall = DateTime.Now - process.StartTime;
        var cpu = process.TotalProcessorTime;
        lock (_lock)
        {
            var elapsed = wall - _last.Wall;
            if (elapsed < MinimumWindow && _last.Wall != TimeSpan.Zero) return _percent;
            var percent = elapsed > TimeSpan.Zero ? (cpu - _last.Cpu) / elapsed * 100 : 0;
            _percent = Math.Clamp(percent, 0, Environment.ProcessorCount * 100);
            _last = (wall, cpu);
            return _percent;
        }
    }
}
