using Community.Api.Webhooks;
using System.Diagnostics;
using Community.Api.Events;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Tests.Events;

/// <summary>
/// A database outage in the middle of deliveries, with the hosted dispatcher left to its own loop and real time
/// passing. PostgreSQL only: a server can be taken away and given back through a <see cref="TcpProxy"/>; a SQLite file cannot.
/// </summary>
public sealed class WebhookOutageTests(BackgroundProxiedPostgresApp app) : EventsTest(app), IClassFixture<BackgroundProxiedPostgresApp>
{
    private TcpProxy Proxy => ((ProxiedPostgresApp)App).Proxy;

    /// <summary>
    /// The database goes away while a receiver is answering, so that attempt cannot be recorded. Once the database is
    /// back, the queue must drain within seconds: the outcome is recorded as soon as the database answers, instead of
    /// the delivery holding its lease (formerly 90 s and more) while everything behind it in its community waits.
    /// </summary>
    [Fact]
    public async Task AfterAnOutageMidDeliveryTheQueueDrainsPromptlyInOrderWithNothingLost()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var communities = new List<long>();
        for (var c = 0; c < 3; c++) communities.Add((await App.Community()).Long("id"));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cut = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answers = 0;
        receiver.Delay = async () =>
        {
            await gate.Task; // nothing is answered before every event exists, so the outage cannot hit the test's own writes
            if (Interlocked.Increment(ref answers) != 5) return;
            Proxy.Cut(); // this answer leaves after the database is gone: the dispatcher cannot record it
            cut.SetResult();
        };
        var start = await LastEventIdAsync();
        var subscriptionId = (await SubscribeAsync(receiver)).Long("id");
        await Task.WhenAll(communities.Select(async id =>
        {
            for (var i = 0; i < 6; i++) await PatchSettingsAsync(id, $"message {i}");
        }));
        var expected = await App.Db(db => db.Events.Where(e => e.Id > start).OrderBy(e => e.Id).Select(e => e.Id).ToListAsync(Ct));

        Stopwatch restored;
        try
        {
            gate.SetResult();
            await cut.Task.WaitAsync(TimeSpan.FromSeconds(60), Ct);
            await Task.Delay(TimeSpan.FromSeconds(3), Ct); // the outage: every attempt in flight finishes, and none can be recorded
        }
        finally
        {
            Proxy.Restore();
            restored = Stopwatch.StartNew();
        }

        var delivered = () => App.Db(db => db.WebhookDeliveries.CountAsync(d => d.SubscriptionId == subscriptionId && d.Status == DeliveryStatus.Delivered, Ct));
        while (restored.Elapsed < TimeSpan.FromSeconds(60) && await delivered() < expected.Count) await Task.Delay(100, Ct);
        var drained = restored.Elapsed;

        TestContext.Current.TestOutputHelper?.WriteLine($"Drained {drained.TotalSeconds:0.0} s after the database came back.");
        Assert.True(drained < TimeSpan.FromSeconds(20), $"The queue took {drained.TotalSeconds:0.0} s to drain after the database came back.");
        Assert.Contains(App.Logs.Lines, l => l.Contains("cannot be recorded while the database is unavailable"));
        // Nothing lost, and nothing sent twice: the outcome cut off from the database was recorded once it came back.
        Assert.Equal(expected, receiver.Received.Select(r => r.EventId).Order());
        foreach (var id in communities)
        {
            var arrivals = receiver.Received.Where(r => r.CommunityId == id).Select(r => r.EventId).ToList();
            Assert.True(arrivals.Zip(arrivals.Skip(1)).All(p => p.First <= p.Second), $"Out of order for community {id}: {string.Join(", ", arrivals)}");
        }
    }
}
