using Community.Api.Data;
using Community.Api.Hosting;
using Community.Api.Idempotency;
using Community.Api.Operations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Community.Api.Retention;

/// <summary>Rows one pass deleted, or would delete in a dry run, per table.</summary>
public sealed record PruneCounts(long IdempotencyKeys, long WebhookDeliveries, long Events, long AuditLog)
{
    public long Total => IdempotencyKeys + WebhookDeliveries + Events + AuditLog;

    public IEnumerable<(string Table, long Rows)> ByTable() =>
        [("idempotency_keys", IdempotencyKeys), ("webhook_deliveries", WebhookDeliveries), ("events", Events), ("audit_log", AuditLog)];
}

/// <summary>
/// One retention pass: deletes what the windows of <see cref="RetentionOptions"/> have expired, table by table, in
/// batches of <see cref="RetentionOptions.BatchSize"/> rows, each its own short statement. Deliveries go before events,
/// so an event whose deliveries have expired goes in the same pass.
/// <para>
/// An expired event stays while an active webhook subscription has not fanned it out yet (its position is below the
/// event), while a Redis Streams relay has not appended it yet (every <c>relay_positions</c> row counts: a relay that
/// no longer runs must have its row deleted), or while a delivery still needs it (pending, or not yet expired itself:
/// deleting the event would cascade to it). Positions only move forward, and subscriptions start at the newest event,
/// so a position read once is a safe bound.
/// </para>
/// Several instances may prune at once: on PostgreSQL each batch skips rows another one has locked
/// (<c>FOR UPDATE SKIP LOCKED</c>); SQLite has one writer at a time.
/// </summary>
public sealed class Pruner(CommunityDb db, IOptions<RetentionOptions> options, TimeProvider clock)
{
    private static readonly TimeSpan BatchPause = TimeSpan.FromMilliseconds(20);

    /// <summary>Expired events no active subscription, no relay and no remaining delivery needs. {0}: the event cutoff, {1}: the delivery cutoff.</summary>
    internal const string ExpiredEvents = """
        occurred_at < {0}
        AND id <= (SELECT coalesce(min(s.last_event_id), 9223372036854775807) FROM webhook_subscriptions AS s WHERE s.is_active)
        AND id <= (SELECT coalesce(min(r.last_event_id), 9223372036854775807) FROM relay_positions AS r)
        AND NOT EXISTS (SELECT 1 FROM webhook_deliveries AS d WHERE d.event_id = events.id AND (d.status = 'pending' OR d.created_at >= {1}))
        """;

    internal const string ExpiredDeliveries = "created_at < {0} AND status <> 'pending'";

    public async Task<PruneCounts> RunAsync(bool dryRun, CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.UtcNow();
        var deliveryCutoff = now - TimeSpan.FromDays(o.DeliveryDays);
        return new PruneCounts(
            await PruneAsync("idempotency_keys", "created_at < {0}", [now - IdempotencyMiddleware.Lifetime], dryRun, ct),
            await PruneAsync("webhook_deliveries", ExpiredDeliveries, [deliveryCutoff], dryRun, ct),
            await PruneAsync("events", ExpiredEvents, [now - TimeSpan.FromDays(o.EventDays), deliveryCutoff], dryRun, ct),
            await PruneAsync("audit_log", "occurred_at < {0}", [now - TimeSpan.FromDays(o.AuditDays)], dryRun, ct));
    }

    /// <summary>
    /// The statement that deletes one batch. On PostgreSQL the rows are picked (and locked, so another pruner skips
    /// them) into an array first, then deleted by their physical address: a join with the picked rows would let the
    /// planner read the whole table to match a thousand rows.
    /// </summary>
    internal string BatchSql(string table, string expired, int parameterCount) => db.IsPostgres
        ? $"DELETE FROM {table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM {table} WHERE {expired} LIMIT {{{parameterCount}}} FOR UPDATE SKIP LOCKED))"
        : $"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} WHERE {expired} LIMIT {{{parameterCount}}})";

    private async Task<long> PruneAsync(string table, string expired, object[] parameters, bool dryRun, CancellationToken ct)
    {
        if (dryRun)
        {
            var count = $"SELECT count(*) AS \"Value\" FROM {table} WHERE {expired}"; // table and predicate are this class's constants
            return await db.Database.SqlQueryRaw<long>(count, parameters).SingleAsync(ct);
        }

        var batch = options.Value.BatchSize;
        var sql = BatchSql(table, expired, parameters.Length);
        long total = 0;
        while (true)
        {
            var deleted = await db.Database.ExecuteSqlRawAsync(sql, [.. parameters, batch], ct);
            total += deleted;
            if (deleted > 0) ServiceMetrics.RetentionDeleted.WithLabels(table).Inc(deleted);
            if (deleted < batch) return total;
            await Task.Delay(BatchPause, ct);
        }
    }
}
