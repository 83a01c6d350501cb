using System.Net;
using Community.Api.Data;
using Community.Api.Relay;
using Community.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Api.Tests.Relay;

/// <summary>
/// An instance that holds the stream's relay lock and stops (a relay stuck mid-batch elsewhere) keeps every instance
/// from relaying: once the oldest waiting event is older than <c>Relay:MaxLagSeconds</c> (300 s), <c>/healthz</c> reports the
/// relay degraded although Redis answers. Only PostgreSQL has the lock to hold.
/// </summary>
public sealed class RelayLagBoundTestsOnPostgres(RelayPostgresApp app) : RelayTest(app), IClassFixture<RelayPostgresApp>
{
    [Fact]
    public async Task TheRelayIsDegradedOnceItsOldestWaitingEventIsOlderThanTheBound()
    {
        var (_, channel) = await App.ConnectedCommunity();
        await CaughtUpAsync("the relay never caught up");

        await using (var scope = App.Services.CreateAsyncScope())
        {
            var stuck = scope.ServiceProvider.GetRequiredService<CommunityDb>();
            await using var holding = await stuck.Database.BeginTransactionAsync(Ct);
            Assert.True(await OutboxRelay.TryHoldAsync(stuck, StreamKey, Ct));
            await App.Join(channel, Unique("viewer"));

            App.Clock.Advance(TimeSpan.FromSeconds(290));
            Assert.Equal((HttpStatusCode.OK, "ok"), await HealthzAsync(App));
            App.Clock.Advance(TimeSpan.FromSeconds(15));
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "warning"), await HealthzAsync(App));
            await Until(async () => await MetricAsync(App, "waddlebot_relay_lag_seconds") > 300, "the lag in seconds never passed the bound");
            Assert.True(await MetricAsync(App, "waddlebot_relay_lag_events") >= 1);
        }

        await CaughtUpAsync("the relay never caught up once the lock was released");
        Assert.Equal((HttpStatusCode.OK, "ok"), await HealthzAsync(App));
    }
}
