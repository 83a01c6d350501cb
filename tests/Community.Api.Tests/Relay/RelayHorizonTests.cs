using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Api.Tests.Relay;

/// <summary>
/// On PostgreSQL event ids follow transaction ids, not commits: a transaction that started earlier can commit its event
/// below one already committed (of another community; within one, the commit moves it above). The relay stops at the
/// feed horizon, so that event still reaches the stream, before the later one; and while an older transaction holds
/// events back, it looks again soon instead of after the poll (a minute here), since nothing wakes it when that
/// transaction ends.
/// </summary>
public sealed class RelayHorizonTestsOnPostgres(SlowPollRelayPostgresApp app) : RelayTest(app), IClassFixture<SlowPollRelayPostgresApp>
{
    [Fact]
    public async Task AnEventCommittedAfterALaterOneStillReachesTheStreamBeforeIt()
    {
        await using var consumer = await ConsumerAsync();
        var (communityId, channel) = await App.ConnectedCommunity();
        var elsewhere = (await App.Community()).Long("id");
        await CaughtUpAsync("the relay never caught up");

        await using var scope = App.Services.CreateAsyncScope();
        var older = scope.ServiceProvider.GetRequiredService<CommunityDb>();
        await using var transaction = await older.Database.BeginTransactionAsync(Ct);
        var early = scope.ServiceProvider.GetRequiredService<Journal>().Event(EventTypes.CommunityUpdated, elsewhere, new { note = "started first" });
        await older.SaveChangesAsync(Ct);

        await App.Join(channel, Unique("viewer"));
        var joined = (await App.Events(communityId, "member.joined")).Last().Id;
        Assert.True(early.Id < joined);
        await Task.Delay(500, Ct); // the join woke the relay; it must not pass the open transaction's event
        Assert.DoesNotContain(await consumer.ReadAsync(), m => m.Id == joined);

        await transaction.CommitAsync(Ct);
        var received = await consumer.UntilAllAsync([early.Id, joined], Ct);
        AssertFirstCopiesInIdOrder(received);
        await AssertMatchesTheOutbox(received);
    }

    [Fact]
    public async Task EventsHeldBackByAnOpenTransactionGoOutSoonAfterItEnds()
    {
        await using var consumer = await ConsumerAsync();
        var (communityId, channel) = await App.ConnectedCommunity();
        await CaughtUpAsync("the relay never caught up");

        await using var scope = App.Services.CreateAsyncScope();
        var older = scope.ServiceProvider.GetRequiredService<CommunityDb>();
        await using var transaction = await older.Database.BeginTransactionAsync(Ct);
        await older.Database.ExecuteSqlRawAsync("SELECT txid_current()", Ct); // a transaction id: the horizon stops below it

        await App.Join(channel, Unique("viewer"));
        var joined = (await App.Events(communityId, "member.joined")).Last().Id;
        await Task.Delay(500, Ct);
        Assert.DoesNotContain(await consumer.ReadAsync(), m => m.Id == joined);

        await transaction.RollbackAsync(Ct); // commits nothing, so no commit wakes the relay
        var waited = System.Diagnostics.Stopwatch.StartNew();
        await consumer.UntilAsync(r => r.Any(m => m.Id == joined), "the held-back join never reached the stream", Ct);
        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"The held-back join waited {waited.Elapsed.TotalSeconds:F1} s: for the poll, not a retry.");
    }
}
