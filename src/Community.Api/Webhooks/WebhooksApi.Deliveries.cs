using Community.Api.Events;
using System.Globalization;
using Community.Api.Auth;
using Community.Api.Data;
using Community.Api.Hosting;
using Community.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Webhooks;

/// <summary>A subscription's deliveries: their history and a manual retry.</summary>
public static partial class WebhooksApi
{
    private static readonly string[] Statuses = [DeliveryStatus.Pending, DeliveryStatus.Delivered, DeliveryStatus.Failed];

    /// <summary>Newest first, keyset-paged, optionally one <c>status</c>.</summary>
    private static async Task<Results<Ok<Envelope<IReadOnlyList<DeliveryResponse>>>, ProblemHttpResult>> Deliveries(
        long id, Access access, ReadOnlyDb reads, Cursors cursors, CancellationToken ct,
        string? status = null, int? limit = null, string? cursor = null)
    {
        var errors = new FieldErrors();
        errors.OneOf("status", status, Statuses);
        var pageSize = Paging.ValidLimit(limit, errors);
        var before = cursors.Decode(cursor, $"deliveries/{id}", errors, CursorKey.Id);
        if (errors.HasProblem(out var invalid)) return invalid;

        var query = reads.WebhookDeliveries.AsNoTracking().Where(d => d.SubscriptionId == id);
        if (status is not null) query = query.Where(d => d.Status == status);
        if (before is [var lastId]) query = query.Where(d => d.Id < lastId);
        var rows = await WithEventType(reads, query).OrderByDescending(r => r.D.Id).TakePage(pageSize!.Value).ToListAsync(ct);
        return TypedResults.Ok(Envelope.Page(Paging.ToPage(rows, pageSize.Value, r => cursors.Encode($"deliveries/{id}", r.D.Id), ToResponse)));
    }

    /// <summary>
    /// Puts a pending or failed delivery back to due now. A failed one gets one more attempt (its schedule is
    /// spent); a pending one keeps its place in the schedule. An attempt in flight or a delivered one is left alone.
    /// </summary>
    private static async Task<Results<Ok<Envelope<DeliveryResponse>>, ProblemHttpResult>> Retry(
        long id, long deliveryId, Access access, CommunityDb db, Journal journal, TimeProvider clock, CancellationToken ct)
    {
        var subscription = await db.WebhookSubscriptions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct);
        if (subscription is null) return NotFound(id);
        if (!subscription.IsActive)
            return Problems.Conflict(ErrorCodes.Conflict, $"Webhook subscription {id} is disabled ({subscription.DisabledReason}); create a new one.");

        var now = clock.UtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await ConfirmAsync(access, ct) is not null) return NotFound(id);
        var updated = await db.WebhookDeliveries
            .Where(d => d.Id == deliveryId && d.SubscriptionId == id && d.Status != DeliveryStatus.Delivered && (d.LockedUntil == null || d.LockedUntil <= now))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Pending).SetProperty(d => d.NextAttemptAt, now), ct);
        var row = await WithEventType(db, db.WebhookDeliveries.AsNoTracking().Where(d => d.Id == deliveryId && d.SubscriptionId == id))
            .FirstOrDefaultAsync(ct);
        if (row is null)
            return Problems.NotFound(ErrorCodes.NotFound, $"Webhook subscription {id} has no delivery {deliveryId}.");
        var delivery = ToResponse(row);
        if (updated == 0)
            return Problems.Conflict(ErrorCodes.Conflict, delivery.Status == DeliveryStatus.Delivered
                ? $"Delivery {deliveryId} was already delivered."
                : $"An attempt of delivery {deliveryId} is in flight; look again shortly.");
        journal.Audit(access.Caller, subscription.CommunityId, "webhook.delivery_retried", "webhook_delivery",
            deliveryId.ToString(CultureInfo.InvariantCulture), null, delivery);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(Envelope.Of(delivery));
    }

    // A class with initialisers, not a positional record: EF can order and filter by members it sees assigned.
    private sealed class DeliveryRow
    {
        public required WebhookDelivery D { get; init; }
        public required string EventType { get; init; }
    }

    private static IQueryable<DeliveryRow> WithEventType(CommunityDb db, IQueryable<WebhookDelivery> deliveries) =>
        from d in deliveries
        join e in db.Events on d.EventId equals e.Id
        select new DeliveryRow { D = d, EventType = e.Type };

    private static DeliveryResponse ToResponse(DeliveryRow r) =>
        new(r.D.Id, r.D.EventId, r.EventType, r.D.Status, r.D.Attempts, r.D.NextAttemptAt, r.D.LastStatusCode, r.D.LastError, r.D.CreatedAt, r.D.DeliveredAt);
}
