using Community.Api.Events;
using System.Security.Cryptography;
using Community.Api.Data;
using Community.Api.Hosting;
using Community.Api.Operations;
using Community.Api.Security;
using Microsoft.Extensions.Options;

namespace Community.Api.Webhooks;

/// <summary>
/// Delivers the outbox to webhook subscriptions, at least once and in order per (subscription, community).
/// Every instance may run one: all coordination is in the database (see <see cref="DeliveryQueue"/>).
/// Due times come from the injected <see cref="TimeProvider"/>, so tests move the clock instead of waiting.
/// It polls every <c>Webhooks:PollIntervalMilliseconds</c>, and a commit on this instance wakes it at once (see
/// <see cref="WakeOnCommit"/>), so events are delivered without waiting for the next poll.
/// </summary>
public sealed class WebhookDispatcher(
    IServiceScopeFactory scopes, WebhookSender sender, SecretProtector secrets, IOptions<WebhookOptions> options,
    TimeProvider clock, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private const int FanOutBatch = 1000;

    /// <summary>Queues sent to at once. A cycle claims no more than that, so each lease covers a run that starts right away.</summary>
    private const int Parallelism = 8;

    /// <summary>Deliveries of one queue sent one after another under one claim and recorded in one transaction.</summary>
    private const int RunLength = 50;

    private static readonly TimeSpan FirstRecordRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestRecordRetry = TimeSpan.FromSeconds(2);

    /// <summary>Bounds one cycle when deliveries keep succeeding: each round sends at most one delivery per (subscription, community).</summary>
    private const int MaxRounds = 1000;

    /// <summary>The shortest pause between two cycles, however often commits wake the dispatcher.</summary>
    private static readonly TimeSpan LeastPause = TimeSpan.FromMilliseconds(20);

    /// <summary>How soon a cycle runs again when another transaction held the horizon back over committed events.</summary>
    private static readonly TimeSpan HeldBackRetry = TimeSpan.FromMilliseconds(250);

    private readonly WebhookOptions _options = options.Value;
    private bool _heldBack;
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Starts the next cycle now instead of after the poll interval; wakes that arrive during a cycle run one more.</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
            try { _wake.Release(); }
            catch (SemaphoreFullException) { } // another wake got there first: one is enough
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.DispatcherEnabled) return;
        var interval = TimeSpan.FromMilliseconds(_options.PollIntervalMilliseconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Shutting down: a claimed delivery's lease runs out and another instance (or the next start) sends it.
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Webhook dispatch cycle failed; trying again after the poll interval");
            }
            try
            {
                await Task.Delay(LeastPause, stoppingToken);
                // Events held back by an older transaction are owed now, not after a full poll interval.
                await _wake.WaitAsync(_heldBack ? HeldBackRetry : interval, stoppingToken);
            }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>One cycle: fan new events out, then send until nothing is due. Returns the number of attempts made.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        (int Read, bool HeldBack) fannedOut;
        do fannedOut = await WithDbAsync(db => DeliveryQueue.FanOutAsync(db, clock.UtcNow(), FanOutBatch, ct));
        while (fannedOut.Read == FanOutBatch);
        _heldBack = fannedOut.HeldBack;

        var attempts = 0;
        for (var round = 0; round < MaxRounds; round++)
        {
            var now = clock.UtcNow();
            var runs = await WithDbAsync(db => DeliveryQueue.ClaimRunsAsync(db, now, now + _options.Lease(), Parallelism, RunLength, ct));
            if (runs.Count == 0) break;
            var sent = 0;
            await Parallel.ForEachAsync(runs, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct },
                async (run, token) => Interlocked.Add(ref sent, await SendRunAsync(run, token)));
            attempts += sent;
        }

        var (backlog, oldest) = await WithDbAsync(db => DeliveryQueue.BacklogAsync(db, ct));
        ServiceMetrics.WebhookBacklog.Set(backlog);
        ServiceMetrics.WebhookOldestUndeliveredAge.Set(oldest is null ? 0 : Math.Max(0, (clock.UtcNow() - oldest.Value).TotalSeconds));
        return attempts;
    }

    /// <summary>
    /// Sends a run in its queue's order, each delivery once its predecessor was delivered, until one fails or the run's
    /// budget is spent, then records what was sent. Returns the number of attempts.
    /// </summary>
    private async Task<int> SendRunAsync(List<ClaimedDelivery> run, CancellationToken ct)
    {
        var started = clock.GetTimestamp();
        var attempts = new List<(ClaimedDelivery, AttemptOutcome)>(run.Count);
        foreach (var delivery in run)
        {
            if (attempts.Count > 0 && clock.GetElapsedTime(started) >= WebhookOptions.RunBudget) break;
            var outcome = await AttemptAsync(delivery, ct);
            attempts.Add((delivery, outcome));
            if (!outcome.Delivered) break;
        }
        await RecordAsync(attempts, ct);
        return attempts.Count;
    }

    private async Task<AttemptOutcome> AttemptAsync(ClaimedDelivery delivery, CancellationToken ct)
    {
        AttemptOutcome outcome;
        try
        {
            outcome = await sender.SendAsync(delivery, secrets.Unprotect(delivery.SecretCiphertext), ct);
        }
        catch (CryptographicException)
        {
            outcome = new AttemptOutcome(null, "The signing secret cannot be opened with ENCRYPTION_KEY or ENCRYPTION_PREVIOUS_KEYS.");
        }

        ServiceMetrics.WebhookDeliveries.WithLabels(outcome.Delivered ? "delivered" : "failed").Inc();
        if (outcome.Delivered)
            logger.LogDebug("Webhook delivery {DeliveryId} ({EventType}) delivered to subscription {SubscriptionId}",
                delivery.Id, delivery.Event.Type, delivery.SubscriptionId);
        else
            logger.LogWarning("Webhook delivery {DeliveryId} to subscription {SubscriptionId}, attempt {Attempt}, failed: {Error}",
                delivery.Id, delivery.SubscriptionId, delivery.Attempts + 1, outcome.Error);
        if (outcome.Gone)
            logger.LogWarning("Webhook subscription {SubscriptionId} answered 410 Gone and is disabled", delivery.SubscriptionId);
        return outcome;
    }

    /// <summary>
    /// The attempts happened, so their outcomes are recorded, retrying while the database is unavailable: a run left
    /// unrecorded would hold up its queue until its lease ran out, and then be sent again. The lease keeps a late
    /// record harmless. Only shutdown gives up, leaving the run to the next claim once its lease runs out.
    /// </summary>
    private async Task RecordAsync(List<(ClaimedDelivery Delivery, AttemptOutcome Outcome)> attempts, CancellationToken ct)
    {
        var head = attempts[0].Delivery;
        var wait = FirstRecordRetry;
        for (var tries = 1; ; tries++)
        {
            try
            {
                // Not cancelled by shutdown: a record under way is worth finishing.
                var recorded = await WithDbAsync(db => DeliveryQueue.RecordRunAsync(db, attempts, _options.Schedule(), clock.UtcNow(), CancellationToken.None));
                if (!recorded)
                    logger.LogInformation("Webhook delivery {DeliveryId}'s attempt {Attempt} (and the {Following} sent behind it) was not recorded: the delivery is gone, or its lease ran out and another claim took it",
                        head.Id, head.Attempts + 1, attempts.Count - 1);
                else if (tries > 1)
                    logger.LogInformation("Webhook delivery {DeliveryId}'s outcome was recorded after {Tries} tries", head.Id, tries);
                return;
            }
            catch (Exception e) when (DbErrors.IsUnavailable(e) && !ct.IsCancellationRequested)
            {
                if (tries == 1)
                    logger.LogWarning("Webhook delivery {DeliveryId}'s outcome cannot be recorded while the database is unavailable; retrying until it answers ({Error})",
                        head.Id, e.Message);
            }
            await Task.Delay(wait, clock, ct);
            wait = wait * 2 < LongestRecordRetry ? wait * 2 : LongestRecordRetry;
        }
    }

    private async Task<T> WithDbAsync<T>(Func<CommunityDb, Task<T>> work)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<CommunityDb>());
    }
}
