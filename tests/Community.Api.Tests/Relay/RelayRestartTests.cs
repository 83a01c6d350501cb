using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Relay;

/// <summary>
/// The relay keeps its position in the database: a relay started after another stopped (a restart, a new pod) appends
/// exactly the events written meanwhile, neither starting over nor skipping them. The app itself writes with its relay
/// off; the relaying instances come and go beside it.
/// </summary>
public abstract class RelayRestartTests(TestApp app) : RelayTest(app)
{
    [Fact]
    public async Task ARestartedRelayResumesFromTheStoredPosition()
    {
        Assert.Null((await HealthzAsync(App)).Relay); // Relay:Enabled=false beside REDIS_URL: no relay runs here
        await using var consumer = await ConsumerAsync();
        var (communityId, channel) = await App.ConnectedCommunity();
        await App.Join(channel, Unique("viewer"));

        await using (await SecondInstance.StartAsync(App, RelayTestSettings.RelayOn))
        {
            await CaughtUpAsync("the first relay never caught up");
        }
        var stoppedAt = await PositionAsync();

        for (var i = 0; i < 3; i++) await App.Join(channel, Unique("viewer"));
        await App.Settings(communityId, new() { ["welcome_message"] = "Hi {user}" });
        await Task.Delay(300, Ct); // several poll intervals: nothing relays while no relaying instance runs
        Assert.Equal(stoppedAt, await PositionAsync());
        var ids = await EventIdsAsync();
        Assert.True(ids[^1] > stoppedAt);

        await using var second = await SecondInstance.StartAsync(App, RelayTestSettings.RelayOn);
        var received = await consumer.UntilAllAsync(ids, Ct);
        await CaughtUpAsync("the second relay never caught up");
        await consumer.ReadAsync();
        Assert.Equal(ids, received.Select(m => m.Id)); // each once, in id order: resumed exactly where the first stopped
        await AssertMatchesTheOutbox(received);
    }
}

public sealed class RelayRestartTestsOnSqlite(RelayOffSqliteApp app) : RelayRestartTests(app), IClassFixture<RelayOffSqliteApp>;

public sealed class RelayRestartTestsOnPostgres(RelayOffPostgresApp app) : RelayRestartTests(app), IClassFixture<RelayOffPostgresApp>;
