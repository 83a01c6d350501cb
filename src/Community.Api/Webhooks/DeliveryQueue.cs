using Community.Api.Events;
using Community.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Webhooks;

/// <summary>A claimed delivery with everything needed to send it.</summary>
public sealed class ClaimedDelivery
{
    public required long Id { get; init; }
    public required long SubscriptionId { get; init; }
    public required int Attempts { get; init; }

    /// <summary>
    /// The lease this claim wrote, as stored: the token that proves the claim still holds when the outcome is recorded.
    /// Not a lease of their own for the deliveries behind a claimed head in its run: the head's lease holds their queue.
    /// </summary>
    public required DateTime? LeaseUntil { get; init; }
    public required long? CommunityId { get; init; }
    public required string Url { get; init; }
    public required string SecretCiphertext { get; init; }
    public required OutboxEvent Event { get; init; }
}

/// <summary>
/// The delivery table as a work queue shared by every instance: fan-out is idempotent, claiming is exclusive,
/// and a (subscription, community) pair has at most one delivery in flight, its oldest pending one.
/// </summary>
public static class DeliveryQueue
{
    /// <summary>How long a fan-out waits for a transaction that holds the horizon back before it leaves those events to the next cycle.</summary>
    private static readonly TimeSpan FanOutPatience = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Turns new events into deliveries for every active subscription they match and advances each subscription's
    /// position. Events are read in id order up to the <see cref="FeedHorizon"/>, so a position never passes an event
    /// that commits later. Two instances fanning out at once insert the same rows; the unique
    /// (subscription_id, event_id) index keeps one. Returns how many events were read (the batch is full when more wait)
    /// and whether committed events wait above the horizon (another transaction holds it back: try again soon).
    /// </summary>
    public static async Task<(int Read, bool HeldBack)> FanOutAsync(CommunityDb db, DateTime now, int batch, CancellationToken ct)
    {
        var subscriptions = await db.WebhookSubscriptions.AsNoTracking().Where(s => s.IsActive)
            .Select(s => new { s.Id, s.CommunityId, s.EventTypesJson, s.LastEventId }).ToListAsync(ct);
        if (subscriptions.Count == 0) return (0, false);
        var from = subscriptions.Min(s => s.LastEventId);
        var horizon = await FeedHorizon.ReadAsync(db, FanOutPatience, ct);
        var events = await db.Events.AsNoTracking().Where(e => e.Id > from && e.Id < horizon.Below).OrderBy(e => e.Id).Take(batch)
            .Select(e => new { e.Id, e.Type, e.CommunityId }).ToListAsync(ct);
        if (events.Count == 0) return (0, horizon.HoldsBack);

        var upTo = events[^1].Id;
        foreach (var s in subscriptions.Where(s => s.LastEventId < upTo))
        {
            var filter = WebhookEventTypes.Parse(s.EventTypesJson);
            var matching = events
                .Where(e => e.Id > s.LastEventId && (s.CommunityId is null || e.CommunityId == s.CommunityId) && WebhookEventTypes.Matches(filter, e.Type))
                .Select(e => e.Id).ToList();
            try
            {
                foreach (var chunk in matching.Chunk(500)) await InsertAsync(db, s.Id, chunk, now, ct);
            }
            catch (Exception e) when (DbErrors.IsConstraintViolation(e))
            {
                continue; // the subscription was deleted meanwhile: nothing is owed to it
            }
            // Only forward: a slower instance finishing late must not move the position back.
            await db.WebhookSubscriptions.Where(x => x.Id == s.Id && x.LastEventId < upTo)
                .ExecuteUpdateAsync(x => x.SetProperty(y => y.LastEventId, upTo), ct);
        }
        return (events.Count, horizon.HoldsBack);
    }

    private static Task<int> InsertAsync(CommunityDb db, long subscriptionId, long[] eventIds, DateTime now, CancellationToken ct)
    {
        var placeholders = string.Join(", ", eventIds.Select((_, i) => $"{{{i + 2}}}")); // {2}, {3}, …
        // Only numbered placeholders are spliced in; the values travel as parameters.
        var sql = $$"""
            INSERT INTO webhook_deliveries (subscription_id, event_id, community_id, status, attempts, next_attempt_at, created_at)
            SELECT {0}, e.id, e.community_id, 'pending', 0, {1}, {1} FROM events AS e WHERE e.id IN ({{placeholders}})
            ON CONFLICT (subscription_id, event_id) DO NOTHING
            """;
        return db.Database.ExecuteSqlRawAsync(sql, [subscriptionId, now, .. eventIds.Cast<object>()], ct);
    }

    /// <summary>
    /// Claims up to <paramref name="batch"/> due deliveries, oldest event first, by setting their lease in the statement
    /// that picks them. Each (subscription, community) pair is a queue that only its head, its oldest pending delivery,
    /// may leave, so each community's events arrive in order: a head that is not yet due, or is leased to an attempt
    /// under way, holds its queue. The heads are found through the partial index of pending deliveries on (subscription,
    /// community, event): a walk from queue to queue (one index seek per queue, a recursive query), one seek for each
    /// queue's head, and one per active subscription for its events that belong to no community, so a claim costs
    /// the number of queues, not the backlog. The UPDATE checks the lease again on the row it changes: of two claims
    /// racing for a head (several instances) only the first takes it, the other finds it leased and leaves it.
    /// </summary>
    public static async Task<List<ClaimedDelivery>> ClaimAsync(CommunityDb db, DateTime now, DateTime leaseUntil, int batch, CancellationToken ct)
    {
        const string sql = """
            WITH RECURSIVE queues (subscription_id, community_id) AS (
                SELECT * FROM (
                    SELECT d.subscription_id, d.community_id FROM webhook_deliveries AS d
                    WHERE d.status = 'pending' AND d.community_id IS NOT NULL
                    ORDER BY d.subscription_id, d.community_id LIMIT 1) AS lowest
                UNION ALL
                SELECT n.subscription_id, n.community_id FROM queues AS q
                JOIN webhook_deliveries AS n ON n.id = (
                    SELECT d.id FROM webhook_deliveries AS d
                    WHERE d.status = 'pending' AND d.community_id IS NOT NULL
                      AND (d.subscription_id, d.community_id) > (q.subscription_id, q.community_id)
                    ORDER BY d.subscription_id, d.community_id LIMIT 1)
            ), heads (id, event_id) AS MATERIALIZED (
                SELECT (SELECT h.id FROM (
                            SELECT d.id, d.next_attempt_at, d.locked_until FROM webhook_deliveries AS d
                            WHERE d.status = 'pending' AND d.subscription_id = q.subscription_id AND d.community_id = q.community_id
                            ORDER BY d.event_id LIMIT 1) AS h
                        WHERE h.next_attempt_at <= {0} AND (h.locked_until IS NULL OR h.locked_until <= {0})),
                       (SELECT min(d.event_id) FROM webhook_deliveries AS d
                        WHERE d.status = 'pending' AND d.subscription_id = q.subscription_id AND d.community_id = q.community_id)
                FROM queues AS q JOIN webhook_subscriptions AS s ON s.id = q.subscription_id AND s.is_active
                UNION ALL
                SELECT (SELECT h.id FROM (
                            SELECT d.id, d.next_attempt_at, d.locked_until FROM webhook_deliveries AS d
                            WHERE d.status = 'pending' AND d.subscription_id = s.id AND d.community_id IS NULL
                            ORDER BY d.event_id LIMIT 1) AS h
                        WHERE h.next_attempt_at <= {0} AND (h.locked_until IS NULL OR h.locked_until <= {0})),
                       (SELECT min(d.event_id) FROM webhook_deliveries AS d
                        WHERE d.status = 'pending' AND d.subscription_id = s.id AND d.community_id IS NULL)
                FROM webhook_subscriptions AS s WHERE s.is_active
            ), due (id) AS (
                -- Each queue's head is judged inside its own seek, and the heads are ordered by their own event ids: a
                -- join back to the table, or an ORDER BY on its column, lets PostgreSQL's generic plan (the statement is
                -- prepared) scan the whole table instead of the handful of heads.
                SELECT id FROM heads WHERE id IS NOT NULL ORDER BY event_id LIMIT {2}
            )
            UPDATE webhook_deliveries SET locked_until = {1}
            WHERE id IN (SELECT id FROM due) AND status = 'pending' AND (locked_until IS NULL OR locked_until <= {0})
            RETURNING id AS "Value"
            """;
        var ids = await db.Database.SqlQueryRaw<long>(sql, now, leaseUntil, batch).ToListAsync(ct);
        return ids.Count == 0 ? [] : await LoadAsync(db, ids, ct);
    }

    /// <summary>
    /// Claims up to <paramref name="batch"/> queues as <see cref="ClaimAsync"/> does, each with a run: its head and up to
    /// <paramref name="length"/> - 1 of the deliveries queued right behind it, in event order, as far as they are due and
    /// unleased. Only a queue's head can be claimed, so the head's lease holds the whole queue: the run is sent in order,
    /// one delivery after another, stopping at the first that fails, and recorded in one transaction at its end
    /// (<see cref="RecordRunAsync"/>). A backlog costs two commits per run instead of two per delivery.
    /// </summary>
    public static async Task<List<List<ClaimedDelivery>>> ClaimRunsAsync(CommunityDb db, DateTime now, DateTime leaseUntil, int batch, int length,
        CancellationToken ct)
    {
        var heads = await ClaimAsync(db, now, leaseUntil, batch, ct);
        if (heads.Count == 0) return [];

        IQueryable<WebhookDelivery>? queued = null;
        foreach (var head in heads)
        {
            var behind = db.WebhookDeliveries.AsNoTracking()
                .Where(d => d.Status == DeliveryStatus.Pending && d.SubscriptionId == head.SubscriptionId && d.EventId > head.Event.Id);
            // Spelled per case, so that each part seeks the queue index (an equality with a nullable parameter would not).
            behind = head.CommunityId is { } community ? behind.Where(d => d.CommunityId == community) : behind.Where(d => d.CommunityId == null);
            behind = behind.OrderBy(d => d.EventId).Take(length - 1);
            queued = queued is null ? behind : queued.Concat(behind);
        }
        var candidates = await queued!.Select(d => new { d.Id, d.SubscriptionId, d.CommunityId, d.EventId, d.NextAttemptAt, d.LockedUntil }).ToListAsync(ct);
        // A run is contiguous: it ends before the first delivery that is not yet due, or is held by a lease of its own.
        var followers = new List<long>();
        foreach (var head in heads)
            followers.AddRange(candidates.Where(c => c.SubscriptionId == head.SubscriptionId && c.CommunityId == head.CommunityId)
                .OrderBy(c => c.EventId).TakeWhile(c => c.NextAttemptAt <= now && (c.LockedUntil is null || c.LockedUntil <= now)).Select(c => c.Id));
        var loaded = followers.Count == 0 ? [] : await LoadAsync(db, followers, ct);
        return heads.Select(head => loaded.Where(f => f.SubscriptionId == head.SubscriptionId && f.CommunityId == head.CommunityId)
            .Prepend(head).ToList()).ToList();
    }

    private static Task<List<ClaimedDelivery>> LoadAsync(CommunityDb db, List<long> ids, CancellationToken ct) => (
        from d in db.WebhookDeliveries.AsNoTracking()
        where ids.Contains(d.Id)
        join s in db.WebhookSubscriptions on d.SubscriptionId equals s.Id
        join e in db.Events on d.EventId equals e.Id
        orderby d.EventId
        select new ClaimedDelivery
        {
            Id = d.Id, SubscriptionId = s.Id, CommunityId = d.CommunityId, Attempts = d.Attempts, LeaseUntil = d.LockedUntil, Url = s.Url,
            SecretCiphertext = s.SecretCiphertext, Event = e,
        }).ToListAsync(ct);

    /// <summary>
    /// Records the attempts of a run (its head first, then the deliveries behind it that were sent, in order) in one
    /// transaction and releases the lease, if the run's claim still holds: the head is pending and its lease is the one
    /// this claim wrote. Otherwise (deleted, or the lease ran out and another claim took the queue) nothing of the run
    /// changes: that claim's attempts count instead, and the consumer drops the repeats by their webhook-id. The same
    /// check makes a repeated record (after a commit whose answer was lost) a no-op. Returns whether it was recorded.
    /// </summary>
    public static async Task<bool> RecordRunAsync(CommunityDb db, IReadOnlyList<(ClaimedDelivery Delivery, AttemptOutcome Outcome)> attempts,
        IReadOnlyList<TimeSpan> schedule, DateTime now, CancellationToken ct)
    {
        var (head, headOutcome) = attempts[0];
        var fenced = db.WebhookDeliveries.Where(x => x.Id == head.Id && x.Status == DeliveryStatus.Pending && x.LockedUntil == head.LeaseUntil);
        if (attempts.Count == 1 && headOutcome.Delivered) return await MarkDeliveredAsync(fenced, headOutcome, now, ct) == 1; // one statement: no transaction

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var recorded = headOutcome.Delivered
            ? await MarkDeliveredAsync(fenced, headOutcome, now, ct) == 1
            : await MarkFailedAsync(db, fenced, head, headOutcome, schedule, now, ct);
        if (!recorded)
        {
            await tx.RollbackAsync(ct);
            return false;
        }
        // Behind the head nothing holds a lease of its own; the checks only skip a row deleted or changed meanwhile.
        foreach (var sent in attempts.Skip(1).Where(a => a.Outcome.Delivered).GroupBy(a => a.Outcome.StatusCode))
        {
            var ids = sent.Select(a => a.Delivery.Id).ToList();
            await MarkDeliveredAsync(db.WebhookDeliveries.Where(x => ids.Contains(x.Id) && x.Status == DeliveryStatus.Pending
                && (x.LockedUntil == null || x.LockedUntil <= now)), sent.First().Outcome, now, ct);
        }
        if (attempts.Count > 1 && attempts[^1] is { Outcome.Delivered: false } last)
            await MarkFailedAsync(db, db.WebhookDeliveries.Where(x => x.Id == last.Delivery.Id && x.Status == DeliveryStatus.Pending
                && (x.LockedUntil == null || x.LockedUntil <= now)), last.Delivery, last.Outcome, schedule, now, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    private static Task<int> MarkDeliveredAsync(IQueryable<WebhookDelivery> rows, AttemptOutcome outcome, DateTime now, CancellationToken ct) =>
        rows.ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Status, DeliveryStatus.Delivered).SetProperty(x => x.Attempts, x => x.Attempts + 1)
            .SetProperty(x => x.DeliveredAt, now).SetProperty(x => x.LastStatusCode, outcome.StatusCode)
            .SetProperty(x => x.LastError, (string?)null).SetProperty(x => x.LockedUntil, (DateTime?)null), ct);

    /// <summary>Attempt n (1-based) failed: it waits schedule[n-1]; past the end of the schedule, or on 410 Gone, it has failed for good.</summary>
    private static async Task<bool> MarkFailedAsync(CommunityDb db, IQueryable<WebhookDelivery> row, ClaimedDelivery d, AttemptOutcome outcome,
        IReadOnlyList<TimeSpan> schedule, DateTime now, CancellationToken ct)
    {
        var attempts = d.Attempts + 1;
        var exhausted = outcome.Gone || attempts > schedule.Count;
        var error = Truncate(outcome.Error, 1000);
        var status = exhausted ? DeliveryStatus.Failed : DeliveryStatus.Pending;
        var next = exhausted ? now : now + schedule[attempts - 1];
        var recorded = await row.ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Status, status)
            .SetProperty(x => x.Attempts, x => x.Attempts + 1)
            .SetProperty(x => x.NextAttemptAt, next)
            .SetProperty(x => x.LastStatusCode, outcome.StatusCode).SetProperty(x => x.LastError, error)
            .SetProperty(x => x.LockedUntil, (DateTime?)null), ct) == 1;
        if (recorded && outcome.Gone)
            await db.WebhookSubscriptions.Where(s => s.Id == d.SubscriptionId).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.IsActive, false)
                .SetProperty(x => x.DisabledReason, $"The endpoint answered 410 Gone on {now:yyyy-MM-ddTHH:mm:ssZ} (delivery {d.Id})."), ct);
        return recorded;
    }

    /// <summary>Pending deliveries of active subscriptions: how many, and since when the oldest waits.</summary>
    public static async Task<(int Count, DateTime? Oldest)> BacklogAsync(CommunityDb db, CancellationToken ct)
    {
        var pending = db.WebhookDeliveries.Where(d => d.Status == DeliveryStatus.Pending
            && db.WebhookSubscriptions.Any(s => s.Id == d.SubscriptionId && s.IsActive));
        return (await pending.CountAsync(ct), await pending.MinAsync(d => (DateTime?)d.CreatedAt, ct));
    }

    private static string? Truncate(string? text, int max) => text is null || text.Length <= max ? text : text[..(max - 1)] + "…";
}
