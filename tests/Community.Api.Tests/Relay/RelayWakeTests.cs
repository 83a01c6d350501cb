using System.Diagnostics;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Relay;

/// <summary>A commit on this instance wakes its relay: the event is in the stream long before the next poll (a minute away).</summary>
public abstract class RelayWakeTests(TestApp app) : RelayTest(app)
{
    [Fact]
    public async Task ACommitWakesTheRelayInsteadOfWaitingForThePoll()
    {
        await using var consumer = await ConsumerAsync();
        var (communityId, channel) = await App.ConnectedCommunity();
        await Task.Delay(500, Ct); // the relay's first cycle, at start-up, is over: only a wake can start the next one
        var joinedAt = Stopwatch.StartNew();

        await App.Join(channel, Unique("viewer"));

        await consumer.UntilAsync(r => r.Any(m => m.Type == "member.joined" && m.CommunityId == communityId), "the join never reached the stream", Ct);
        Assert.True(joinedAt.Elapsed < TimeSpan.FromSeconds(20), $"The join took {joinedAt.Elapsed.TotalSeconds:F1} s to reach the stream.");
    }
}

public sealed class RelayWakeTestsOnSqlite(SlowPollRelaySqliteApp app) : RelayWakeTests(app), IClassFixture<SlowPollRelaySqliteApp>;

public sealed class RelayWakeTestsOnPostgres(SlowPollRelayPostgresApp app) : RelayWakeTests(app), IClassFixture<SlowPollRelayPostgresApp>;
