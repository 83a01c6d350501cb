using System.Diagnostics;

namespace Community.Api.Tests.Infrastructure;

/// <summary>
/// Runs a race again and again: each round sets up fresh state, fires its conflicting requests at once, and checks the
/// invariants afterwards. Bounded by a round count and a time budget, so a slow machine runs fewer rounds, not longer.
/// </summary>
public static class Rounds
{
    public static async Task RunAsync(int rounds, TimeSpan budget, Func<int, Task> round)
    {
        var clock = Stopwatch.StartNew();
        var ran = 0;
        for (; ran < rounds && (ran < 2 || clock.Elapsed < budget); ran++) await round(ran);
        Assert.True(ran >= 2, "The race ran fewer than two rounds.");
    }

    /// <summary>Starts every request together, so they reach the server as close to the same moment as it allows.</summary>
    public static async Task<HttpResponseMessage[]> AllAtOnce(params Func<Task<HttpResponseMessage>>[] requests)
    {
        using var start = new SemaphoreSlim(0);
        var running = requests.Select(async send =>
        {
            await start.WaitAsync();
            return await send();
        }).ToArray();
        start.Release(requests.Length);
        return await Task.WhenAll(running);
    }
}
