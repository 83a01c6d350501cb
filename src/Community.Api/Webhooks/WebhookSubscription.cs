using Community.Api.Events;
namespace Community.Api.Webhooks;

/// <summary>A consumer endpoint that receives events, globally or for one community.</summary>
public class WebhookSubscription
{
    public long Id { get; set; }
    public required string Url { get; set; }

    /// <summary>JSON array of event types; empty means every type.</summary>
    public required string EventTypesJson { get; set; }

    public long? CommunityId { get; set; }

    /// <summary>The <c>whsec_</c> signing secret, sealed by the secret protector.</summary>
    public required string SecretCiphertext { get; set; }

    public bool IsActive { get; set; } = true;
    public string? DisabledReason { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>The dispatcher's position in the outbox for this subscription: events up to here are fanned out.</summary>
    public long LastEventId { get; set; }
}
