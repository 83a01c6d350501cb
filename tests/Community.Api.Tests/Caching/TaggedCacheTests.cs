using Community.Api.Caching;

namespace Community.Api.Tests.Caching;

/// <summary>The cache's exactness rules, without a database: a load that raced an invalidation never serves its answer.</summary>
public sealed class TaggedCacheTests
{
    private readonly TaggedCache _cache = new(TimeProvider.System);
    private int _loads;

    private Task<string> Get(string key, string value, params string[] tags) =>
        _cache.GetOrLoadAsync("test", key, _ =>
        {
            Interlocked.Increment(ref _loads);
            return Task.FromResult(new Loaded<string>(value, tags));
        }, TestContext.Current.CancellationToken).AsTask();

    [Fact]
    public async Task AValidEntryIsServedWithoutLoading()
    {
        await Get("k", "first", "t");
        Assert.Equal("first", await Get("k", "second", "t"));
        Assert.Equal(1, _loads);
    }

    [Fact]
    public async Task InvalidatingATagDropsOnlyTheEntriesThatCarryIt()
    {
        await Get("a", "a1", "shared", "only-a");
        await Get("b", "b1", "shared", "only-b");

        _cache.Invalidate(["only-a"]);

        Assert.Equal("a2", await Get("a", "a2", "shared", "only-a"));
        Assert.Equal("b1", await Get("b", "b2", "shared", "only-b"));
    }

    [Fact]
    public async Task ALoadThatReadBeforeAnInvalidationIsNeverServedAfterIt()
    {
        var reading = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var racing = _cache.GetOrLoadAsync("test", "k", async _ =>
        {
            reading.SetResult();
            await release.Task; // the database answered with what was committed before the write
            return new Loaded<string>("stale", ["t"]);
        }, TestContext.Current.CancellationToken).AsTask();
        await reading.Task;

        _cache.Invalidate(["t"]); // the write commits and invalidates while the load is still on its way
        release.SetResult();
        Assert.Equal("stale", await racing); // that request saw the database before the write: fair

        Assert.Equal("fresh", await Get("k", "fresh", "t"));
    }

    [Fact]
    public async Task WhileDistrustedNothingIsServedOrStoredAndRestoringDropsEverything()
    {
        await Get("k", "before", "t");
        _cache.Distrust();

        Assert.Equal("during", await Get("k", "during", "t"));
        Assert.Equal("during-again", await Get("k", "during-again", "t"));

        _cache.Restore();
        Assert.Equal("after", await Get("k", "after", "t"));
        Assert.Equal("after", await Get("k", "later", "t"));
    }
}
