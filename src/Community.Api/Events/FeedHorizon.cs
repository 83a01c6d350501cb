using Community.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Events;

/// <summary>
/// How far the outbox can be read in id order without ever skipping an event that commits later.
/// <para>
/// On PostgreSQL writers take no lock to number their events: the trigger <c>events_assign_id</c> (migration
/// LockFreeEventIds) makes an event's id its transaction id shifted left by 12 bits, plus its place in the transaction.
/// Every transaction older than the oldest one still in progress (<c>pg_snapshot_xmin</c>) has finished, and every
/// later transaction gets a larger id, so the events below <c>xmin &lt;&lt; 12</c> are final: nothing will ever commit
/// below them. Readers (the feed, the webhook fan-out, relays) stop there. A transaction still in progress only holds the
/// horizon back until it ends. SQLite has one writer at a time: its ids are commit-ordered and its horizon is unbounded.
/// </para>
/// <para>
/// At COMMIT, a transaction whose community already holds a committed event numbered above its own moves its
/// community events to a transaction id drawn then (migration EventsOrderedPerCommunity), so a community's events
/// follow the order its changes happened. That id is a subtransaction's, larger than the transaction's own, so the
/// horizon's rule holds.
/// </para>
/// </summary>
public static class FeedHorizon
{
    /// <summary>Bits of an event id that number the events of one transaction: up to 4095 each; ids stay below 2^53 for JavaScript clients.</summary>
    public const int EventBits = 12;

    /// <summary>Events below <see cref="Below"/> are final; <see cref="HoldsBack"/> when committed events wait above it.</summary>
    public readonly record struct Horizon(long Below, bool HoldsBack);

    /// <summary>
    /// The horizon now. With <paramref name="patience"/>, while committed events already lie at or above it (a
    /// transaction that started earlier is still finishing), waits up to that long for it to move past them, so a
    /// reader right after a write usually sees it.
    /// </summary>
    public static async Task<Horizon> ReadAsync(CommunityDb db, TimeSpan patience, CancellationToken ct)
    {
        if (!db.IsPostgres) return new(long.MaxValue, false);
        var giveUp = Environment.TickCount64 + (long)patience.TotalMilliseconds;
        while (true)
        {
            var state = (await db.Database.SqlQueryRaw<HorizonState>(HorizonSql).ToListAsync(ct))[0];
            var holdsBack = state.Newest is { } newest && newest >= state.Horizon;
            if (!holdsBack || Environment.TickCount64 >= giveUp) return new(state.Horizon, holdsBack);
            await Task.Delay(5, ct);
        }
    }

    // The shift is EventBits; the column names are snake_case, as the model names them.
    private const string HorizonSql =
        "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint << 12 AS horizon, (SELECT max(id) FROM events) AS newest";

    private sealed record HorizonState(long Horizon, long? Newest);
}
