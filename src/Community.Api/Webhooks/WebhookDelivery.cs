using Community.Api.Events;
namespace Community.Api.Webhooks;

/// <summary>One event owed to one subscription, with its delivery state across attempts.</summary>
public class WebhookDelivery
{
    public long Id { get; set; }
    public long SubscriptionId { get; set; }
    public long EventId { get; set; }

    /// <summary>Copied from the event so per-community ordering needs no join.</summary>
    public long? CommunityId { get; set; }

    public string Status { get; set; } = DeliveryStatus.Pending;
    public int Attempts { get; set; }
    public DateTime NextAttemptAt { get; set; }
    public DateTime? LockedUntil { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? DeliveredAt { get; set; }
}

public static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
}
