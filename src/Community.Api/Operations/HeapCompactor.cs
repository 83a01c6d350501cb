using Microsoft.Extensions.Options;

namespace Community.Api.Operations;

/// <summary>
/// Runs a compacting full collection when the GC has run no full collection for one interval
/// (<see cref="MemoryOptions.CompactionIntervalSeconds"/>).
/// The caches' entries and invalidation stamps live two minutes: long enough to be promoted to gen 2, where, under
/// steady traffic, the GC leaves them dead until its gen-2 budget is spent, and the process grew tens of MB over a soak
/// without a gen-2 collection (a background one, tried, sweeps but leaves the space fragmented and gen 2 still grew).
/// A compaction of this service's ~30 MB of live objects pauses it for tens of milliseconds once a minute at most.
/// </summary>
public sealed class HeapCompactor(IOptions<MemoryOptions> options, ILogger<HeapCompactor> logger) : BackgroundService
{
    private int _seen = -1;

    /// <summary>How many full collections the process has run; the tests count their own.</summary>
    internal Func<int> FullCollections { get; init; } = () => GC.CollectionCount(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seconds = options.Value.CompactionIntervalSeconds;
        if (seconds == 0) return;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(seconds));
        Tick();
        while (await timer.WaitForNextTickAsync(stoppingToken)) Tick();
    }

    /// <summary>Compacts when no full collection ran since the previous tick (never on the first); true when it did.</summary>
    internal bool Tick()
    {
        var count = FullCollections();
        var idle = count == _seen;
        if (idle)
        {
            var before = GC.GetTotalMemory(forceFullCollection: false);
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            var info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
            logger.LogDebug("Compacted the heap: {Before} → {After} bytes in {Pause} ms",
                before, info.HeapSizeBytes, info.PauseDurations[0].TotalMilliseconds);
            count = FullCollections();
        }
        _seen = count;
        return idle;
    }
}
