using System.Net;
using System.Text.Json;
using Community.Api.Data.Replica;
using Community.Api.Operations;
using Community.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Api.Tests.Data;

/// <summary>
/// A real streaming replica as <c>DATABASE_READ_URL</c>. Lists, statistics and logs are served by it (its own statistics
/// move); the caller that wrote reads its write at once while the replica lags; a replica lagging past the bound or
/// stopped is skipped without a failed request or a lost readiness; routing lookups and authorization never read it.
/// The admin key writes; the read-only key never writes, so nothing it does asks for read-your-writes.
/// </summary>
public sealed class ReadReplicaTests(ReplicatedPostgresApp app) : ApiTest(app), IClassFixture<ReplicatedPostgresApp>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private ReplicatedPostgres Pair => ((ReplicatedPostgresApp)App).Pair;

    private HttpClient Writer => App.Service();

    private HttpClient Reader => App.Service(TestKeys.ReadOnly);

    private static double ReplicaReads => ServiceMetrics.DatabaseReads.WithLabels("replica").Value;

    [Fact]
    public async Task ListsStatisticsAndLogsOfAnotherCallerAreServedByTheReplica()
    {
        var community = (await App.Community()).Long("id");
        await ReplicaServesAsync();
        var (scans, reads) = (await Pair.ReplicaScansAsync("community_members"), ReplicaReads);

        var members = await Reader.Get($"/api/v1/communities/{community}/members").Data();
        Assert.Single(members.EnumerateArray());
        await Reader.Get($"/api/v1/communities/{community}/stats").Data();
        await Reader.Get($"/api/v1/communities/{community}/audit-log").Data();
        await Reader.Get("/api/v1/communities").Data();

        Assert.True(ReplicaReads - reads >= 4, $"{ReplicaReads - reads} queries ran on the replica");
        // The replica's own statistics count the scans (it publishes them within a second or so).
        await Until(async () => await Pair.ReplicaScansAsync("community_members") > scans, "the replica's statistics never moved");
    }

    [Fact]
    public async Task TheWriterReadsItsOwnWriteWhileTheReplicaLagsAndOthersReadTheReplica()
    {
        var (community, channel) = await App.ConnectedCommunity();
        await ReplicaServesAsync();
        await Pair.PauseReplayAsync();
        try
        {
            var viewer = (await App.Join(channel, Unique("viewer"))).Long("hub_user_id");

            var reads = ReplicaReads;
            Assert.Contains(viewer, await MemberIds(Writer, community)); // from the primary: the replica has not replayed the join
            Assert.Equal(reads, ReplicaReads);
            Assert.DoesNotContain(viewer, await MemberIds(Reader, community)); // another caller tolerates the lag
            Assert.True(ReplicaReads > reads, "the other caller's list did not come from the replica");
        }
        finally
        {
            await Pair.ResumeReplayAsync();
        }
        await Pair.CaughtUpAsync(Bound);
        await ReplicaServesAsync();
        Assert.Equal(2, (await MemberIds(Reader, community)).Count);
    }

    [Fact]
    public async Task AReplicaLaggingPastTheBoundIsSkippedAndInstancesStayReady()
    {
        var (community, channel) = await App.ConnectedCommunity();
        await ReplicaServesAsync();
        await Pair.PauseReplayAsync();
        try
        {
            var viewer = (await App.Join(channel, Unique("viewer"))).Long("hub_user_id");
            var healthz = await Until(async () => await Healthz() is var h && h.GetProperty("checks").Str("replica") == "lagging" ? h : (JsonElement?)null,
                "the replica never counted as lagging");
            Assert.Equal("healthy", healthz.Str("status")); // Healthz() asserted the 200
            Assert.True(healthz.GetProperty("replica").GetProperty("lag_seconds").GetDouble() > ReplicatedPostgresApp.MaxLagSeconds);

            var reads = ReplicaReads;
            Assert.Contains(viewer, await MemberIds(Reader, community)); // skipped: the primary answered
            Assert.Equal(reads, ReplicaReads);
        }
        finally
        {
            await Pair.ResumeReplayAsync();
        }
        await ReplicaServesAsync();
        Assert.Equal("ok", (await Healthz()).GetProperty("checks").Str("replica"));
    }

    [Fact]
    public async Task ReadsFallBackToThePrimaryWhileTheReplicaIsStoppedAndReturnAfterwards()
    {
        var (community, channel) = await App.ConnectedCommunity();
        await ReplicaServesAsync();
        await MemberIds(Reader, community); // leaves a pooled connection to the replica, which the stop will break
        var viewer = (await App.Join(channel, Unique("viewer"))).Long("hub_user_id");

        await Pair.StopReplicaAsync();
        try
        {
            var reads = ReplicaReads;
            // At once, before the monitor has noticed: the broken connection fails, the read runs again on the primary.
            Assert.Contains(viewer, await MemberIds(Reader, community));
            Assert.Contains(viewer, await MemberIds(Reader, community));
            Assert.Equal(reads, ReplicaReads);
            var healthz = await Until(async () => await Healthz() is var h && h.GetProperty("checks").Str("replica") == "unreachable" ? h : (JsonElement?)null,
                "the stopped replica was never reported unreachable");
            Assert.Equal("healthy", healthz.Str("status"));
        }
        finally
        {
            await Pair.StartReplicaAsync();
        }
        await ReplicaServesAsync();
        var before = ReplicaReads;
        Assert.Contains(viewer, await MemberIds(Reader, community));
        Assert.True(ReplicaReads > before, "reads did not return to the replica once it was back");
    }

    [Fact]
    public async Task RoutingLookupsAndAuthorizationNeverReadTheReplica()
    {
        await ReplicaServesAsync();
        await Pair.PauseReplayAsync();
        try
        {
            // Made while the replica replays nothing: it knows neither the community nor the membership.
            var (community, channel) = await App.ConnectedCommunity(new { is_public = false });
            var account = Unique("viewer");
            var viewer = (await App.Join(channel, account)).Long("hub_user_id");

            var lookup = await Reader.Lookup(channel, account).Data();
            Assert.Equal(community, lookup.GetProperty("community").Long("id"));
            Assert.Equal(viewer, lookup.GetProperty("member").Long("hub_user_id"));
            // The viewer never wrote, yet may see the private community: the check read the primary (the list itself may lag).
            var response = await App.User(viewer).Get($"/api/v1/communities/{community}/members");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        finally
        {
            await Pair.ResumeReplayAsync();
        }
    }

    private static async Task<List<long>> MemberIds(HttpClient client, long community) =>
        (await client.Get($"/api/v1/communities/{community}/members?limit=200").Data()).EnumerateArray().Select(m => m.Long("hub_user_id")).ToList();

    private async Task<JsonElement> Healthz()
    {
        var response = await App.Anonymous().Get("/healthz");
        var body = await response.Json();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body;
    }

    /// <summary>Waits until the replica has replayed everything written so far and this instance has measured it serving.</summary>
    private async Task ReplicaServesAsync()
    {
        await Pair.CaughtUpAsync(Bound);
        var monitor = App.Services.GetRequiredService<ReplicaMonitor>();
        await Until(async () =>
        {
            await monitor.PollAsync(Ct);
            return monitor.Now.State == ReplicaState.Serving && monitor.Now.Lag == TimeSpan.Zero;
        }, "the replica never served");
    }

    private async Task Until(Func<Task<bool>> condition, string failure) =>
        await Until(async () => await condition() ? true : (bool?)null, failure);

    private async Task<T> Until<T>(Func<Task<T?>> attempt, string failure) where T : struct
    {
        var giveUp = DateTime.UtcNow + Bound;
        while (true)
        {
            if (await attempt() is { } done) return done;
            if (DateTime.UtcNow > giveUp) Assert.Fail($"{failure} within {Bound.TotalSeconds} s.");
            await Task.Delay(100, Ct);
        }
    }
}
