using Community.Api.Data;
using Community.Api.Events;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace Community.Api.Relay;

/// <summary>What one relay step did.</summary>
public enum RelayStep
{
    /// <summary>Nothing past the position below the horizon.</summary>
    Idle,

    /// <summary>Nothing past the position below the horizon, but committed events wait above it until an older transaction ends.</summary>
    HeldBack,

    /// <summary>Events were appended and the position moved past them.</summary>
    Relayed,

    /// <summary>Another instance holds the stream's relay lock: it is relaying these events now.</summary>
    Busy,
}

/// <summary>The relay's distance from the outbox's end.</summary>
public readonly record struct RelayLag(long Events, double Seconds);

/// <summary>
/// Carries the outbox into a Redis stream in id order, at least once, with its position in the database
/// (<see cref="RelayPosition"/>), so a restart or an outage resumes exactly where the last stored batch ended.
/// <para>
/// A step reads the events after the position up to the <see cref="FeedHorizon"/> (nothing can commit below it later),
/// appends them in one Redis <c>MULTI</c>/<c>EXEC</c> (all or none), then moves the position, only if it is still where
/// the step found it. An append whose position was not stored (Redis answered too late, the database failed, another
/// instance moved first) is appended again by the next step: consumers see repeats, never gaps, and the first copy of
/// every event comes after the first copies of all events below it, because each append is a contiguous run that starts
/// at a position stored after everything before it was appended.
/// </para>
/// <para>
/// On PostgreSQL the step holds a transaction-scoped advisory lock on the stream around the append, so one instance
/// relays at a time and the others skip instead of appending the same run: no session state, so it works behind
/// PgBouncer in transaction mode, and a crashed holder's lock ends with its connection. Until its last statement that
/// transaction only reads, so it has no transaction id while it waits on Redis: a row lock would take one, and hold back
/// the cluster-wide <see cref="FeedHorizon"/> (the feed, webhooks, every relay) for as long as Redis takes to answer.
/// On SQLite the compare-and-set alone keeps it correct (instances on one file may occasionally append a run twice);
/// no transaction is held there, since a SQLite transaction that writes would stop every other writer during the Redis
/// round trip.
/// </para>
/// </summary>
public static class OutboxRelay
{
    /// <summary>How long a step waits for a transaction that holds the horizon back before leaving its events to the next step.</summary>
    private static readonly TimeSpan HorizonPatience = TimeSpan.FromMilliseconds(100);

    /// <summary>Makes the stream's position row if it is missing: a new stream starts before the first event still in the outbox.</summary>
    public static Task EnsurePositionAsync(CommunityDb db, string stream, DateTime now, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync(
            "INSERT INTO relay_positions (stream, last_event_id, updated_at) VALUES ({0}, 0, {1}) ON CONFLICT (stream) DO NOTHING",
            [stream, now], ct);

    /// <summary>Appends the next batch to <paramref name="stream"/> and stores the new position; returns what it did and how many it appended.</summary>
    public static async Task<(RelayStep Step, int Appended)> StepAsync(
        CommunityDb db, IDatabase redis, string stream, RelayOptions options, DateTime now, CancellationToken ct)
    {
        var horizon = await FeedHorizon.ReadAsync(db, HorizonPatience, ct);
        var seen = await PositionAsync(db, stream, ct);
        if (!await db.Events.AnyAsync(e => e.Id > seen && e.Id < horizon.Below, ct))
            return (horizon.HoldsBack ? RelayStep.HeldBack : RelayStep.Idle, 0);

        await using var tx = db.IsPostgres ? await db.Database.BeginTransactionAsync(ct) : null;
        if (tx is not null && !await TryHoldAsync(db, stream, ct)) return (RelayStep.Busy, 0);
        // Read again under the lock: the instance that held it last may have moved the position since.
        var from = tx is null ? seen : await PositionAsync(db, stream, ct);

        var events = await db.Events.AsNoTracking().Where(e => e.Id > from && e.Id < horizon.Below).OrderBy(e => e.Id)
            .Take(options.BatchSize).ToListAsync(ct);
        if (events.Count == 0) return (RelayStep.Idle, 0);

        await AppendAsync(redis, stream, events, options.MaxLength, now);

        var upTo = events[^1].Id;
        await db.RelayPositions.Where(p => p.Stream == stream && p.LastEventId == from)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.LastEventId, upTo).SetProperty(p => p.UpdatedAt, now), ct);
        if (tx is not null) await tx.CommitAsync(ct);
        return (RelayStep.Relayed, events.Count);
    }

    /// <summary>The events not yet appended (committed ones above the horizon too) and the age of the oldest of them.</summary>
    public static async Task<RelayLag> LagAsync(CommunityDb db, string stream, DateTime now, CancellationToken ct)
    {
        var position = await PositionAsync(db, stream, ct);
        var behind = db.Events.Where(e => e.Id > position);
        var count = await behind.LongCountAsync(ct);
        if (count == 0) return new(0, 0);
        var oldest = await behind.OrderBy(e => e.Id).Select(e => e.OccurredAt).FirstAsync(ct);
        return new(count, Math.Max(0, (now - oldest).TotalSeconds));
    }

    /// <summary>
    /// On PostgreSQL, takes the stream's relay lock for the current transaction if no other transaction holds it.
    /// Advisory locks with two keys live apart from the one-key lock the event trigger once used.
    /// </summary>
    public static async Task<bool> TryHoldAsync(CommunityDb db, string stream, CancellationToken ct) =>
        (await db.Database.SqlQueryRaw<bool>("SELECT pg_try_advisory_xact_lock(7427002, hashtext({0})) AS \"Value\"", stream).ToListAsync(ct))[0];

    private static async Task<long> PositionAsync(CommunityDb db, string stream, CancellationToken ct) =>
        await db.RelayPositions.AsNoTracking().Where(p => p.Stream == stream).Select(p => (long?)p.LastEventId).FirstOrDefaultAsync(ct) ?? 0;

    /// <summary>One transaction, so a batch lands whole or not at all and never interleaves with another instance's.</summary>
    private static async Task AppendAsync(IDatabase redis, string stream, List<OutboxEvent> events, int maxLength, DateTime now)
    {
        var transaction = redis.CreateTransaction();
        var appends = events.Select(e => transaction.StreamAddAsync(stream, StreamEntry.Of(e, now), maxLength: maxLength, useApproximateMaxLength: true)).ToList();
        if (!await transaction.ExecuteAsync()) throw new RedisException($"Redis did not run the transaction appending {events.Count} events to {stream}.");
        await Task.WhenAll(appends);
    }
}
