namespace Community.Api.Operations;

/// <summary>
/// The <c>Health</c> section: when <c>/healthz</c> reports memory or CPU pressure (which, as everywhere in the fleet,
/// makes it answer 503). The defaults are the fleet's: memory over 90%, CPU over 95%.
/// </summary>
public sealed class HealthOptions : Hosting.ICheckedOptions
{
    public const string Section = "Health";

    /// <summary>Working set, as a percentage of the memory the runtime may use (the container limit when there is one).</summary>
    public int MemoryPercent { get; set; } = 90;

    /// <summary>The process's CPU use since the previous check, as a percentage of all cores.</summary>
    public int CpuPercent { get; set; } = 95;

    public string? Problem() =>
        MemoryPercent is < 1 or > 100 || CpuPercent is < 1 or > 100 ? "Health:MemoryPercent and Health:CpuPercent must be between 1 and 100." : null;
}
