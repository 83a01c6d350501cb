using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Relay;

/// <summary>
/// Two instances relay the same outbox to the same stream while writes land on both: every event reaches the stream at
/// least once, and a consumer that drops repeats by id reads each community's events in order.
/// </summary>
public abstract class RelayAcrossInstancesTests(TestApp app) : RelayTest(app)
{
    [Fact]
    public async Task TwoInstancesRelayingProduceEveryEventAtLeastOnceAndInOrderPerCommunity()
    {
        await using var consumer = await ConsumerAsync();
        await using var other = await SecondInstance.StartAsync(App);
        var channels = new List<string>();
        for (var i = 0; i < 3; i++) channels.Add((await App.ConnectedCommunity()).Channel);

        await Rounds.RunAsync(rounds: 3, TimeSpan.FromSeconds(8), async _ =>
        {
            var joins = channels.SelectMany(channel => Enumerable.Range(0, 4).Select(i => (Func<Task<HttpResponseMessage>>)(() =>
                (i % 2 == 0 ? App : other).Service().Post("/api/v1/members/join",
                    new { platform = "twitch", platform_community_id = channel, platform_user_id = Unique("viewer") })))).ToArray();
            Assert.All(await Rounds.AllAtOnce(joins), r => Assert.True(r.IsSuccessStatusCode, r.StatusCode.ToString()));
        });

        var ids = await EventIdsAsync();
        var received = await consumer.UntilAllAsync(ids, Ct);
        await CaughtUpAsync("the stored position never passed the last event");
        await consumer.ReadAsync(); // anything appended twice arrives before the position moves past it
        Assert.All(received, m => Assert.Contains(m.Id, ids));
        AssertFirstCopiesInIdOrder(received);
        await AssertMatchesTheOutbox(received);
        AssertRepeats(consumer.Received);
    }

    /// <summary>What the provider promises beyond at least once when nothing fails.</summary>
    protected virtual void AssertRepeats(IReadOnlyList<FleetMessage> received) { }
}

/// <summary>On SQLite instances on one file may both append a run before either stores the position: repeats are allowed.</summary>
public sealed class RelayAcrossInstancesTestsOnSqlite(RelaySqliteApp app) : RelayAcrossInstancesTests(app), IClassFixture<RelaySqliteApp>;

/// <summary>On PostgreSQL the instance holding the stream's lock relays and the other waits, so nothing is appended twice.</summary>
public sealed class RelayAcrossInstancesTestsOnPostgres(RelayPostgresApp app) : RelayAcrossInstancesTests(app), IClassFixture<RelayPostgresApp>
{
    protected override void AssertRepeats(IReadOnlyList<FleetMessage> received) =>
        Assert.Equal(received.Select(m => m.Id).Distinct().Count(), received.Count);
}
