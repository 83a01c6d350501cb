using Community.Api.Operations;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Community.Api.Tests.Operations;

/// <summary>The compactor runs a compacting full collection only when the GC ran none since its previous tick.</summary>
public sealed class HeapCompactorTests
{
    private int _fullCollections = 7;

    private HeapCompactor Compactor() =>
        new(Options.Create(new MemoryOptions()), NullLogger<HeapCompactor>.Instance) { FullCollections = () => _fullCollections };

    [Fact]
    public void TheFirstTickOnlyNotesTheCount() => Assert.False(Compactor().Tick());

    [Fact]
    public void ATickAfterNoFullCollectionCompactsTheHeap()
    {
        var compactor = Compactor();
        compactor.Tick();
        var before = GC.GetGCMemoryInfo(GCKind.FullBlocking).Index;

        Assert.True(compactor.Tick());
        var after = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        Assert.True(after.Index > before, "No full blocking collection ran.");
        Assert.True(after.Compacted);
    }

    [Fact]
    public void ATickAfterTheGcsOwnFullCollectionLeavesTheHeapAlone()
    {
        var compactor = Compactor();
        compactor.Tick();
        _fullCollections++;

        Assert.False(compactor.Tick());
        Assert.True(compactor.Tick()); // the next interval with none compacts again
    }
}
