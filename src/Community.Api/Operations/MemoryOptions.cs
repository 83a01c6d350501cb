namespace Community.Api.Operations;

/// <summary>The <c>Memory</c> section: how often <see cref="HeapCompactor"/> may compact the managed heap.</summary>
public sealed class MemoryOptions : Hosting.ICheckedOptions
{
    public const string Section = "Memory";

    /// <summary>
    /// A tick of the compactor: when no full collection ran since the previous one, it runs one. 0 turns it off (the
    /// GC's own schedule alone).
    /// </summary>
    public int CompactionIntervalSeconds { get; set; } = 60;

    public string? Problem() =>
        CompactionIntervalSeconds is < 0 or > 86_400 ? "Memory:CompactionIntervalSeconds must be between 0 (off) and 86400." : null;
}
