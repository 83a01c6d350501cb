using System.Text.Json;

namespace Community.Api.Events;

/// <summary>One event of the feed, and the <c>data</c> of every webhook delivery.</summary>
public sealed record EventResponse(long Id, string Type, long? CommunityId, DateTime OccurredAt, JsonElement Data)
{
    public static EventResponse From(OutboxEvent e) =>
        new(e.Id, e.Type, e.CommunityId, e.OccurredAt, JsonDocument.Parse(e.DataJson).RootElement.Clone());
}

/// <summary>
/// The feed's position: pass <see cref="NextAfter"/> as <c>?after=</c> to continue. It is the last id returned,
/// or the <c>after</c> given when nothing newer exists yet, so a consumer can poll with it unchanged.
/// </summary>
public sealed record EventFeedMeta(long NextAfter, int Limit, bool HasMore);

public sealed record CreateWebhookRequest(string? Url, string[]? EventTypes, long? CommunityId);

/// <summary>A subscription as every read shows it: never with its secret.</summary>
public sealed record WebhookResponse(
    long Id, string Url, string[] EventTypes, long? CommunityId, bool IsActive, string? DisabledReason, DateTime CreatedAt)
{
    public static WebhookResponse From(WebhookSubscription s) =>
        new(s.Id, s.Url, WebhookEventTypes.Parse(s.EventTypesJson), s.CommunityId, s.IsActive, s.DisabledReason, s.CreatedAt);
}

/// <summary>The answer to a create: the only time the signing secret is shown.</summary>
public sealed record CreatedWebhookResponse(
    long Id, string Url, string[] EventTypes, long? CommunityId, bool IsActive, string? DisabledReason, DateTime CreatedAt, string Secret)
{
    public static CreatedWebhookResponse From(WebhookResponse w, string secret) =>
        new(w.Id, w.Url, w.EventTypes, w.CommunityId, w.IsActive, w.DisabledReason, w.CreatedAt, secret);
}

public sealed record DeliveryResponse(
    long Id, long EventId, string EventType, string Status, int Attempts, DateTime NextAttemptAt,
    int? LastStatusCode, string? LastError, DateTime CreatedAt, DateTime? DeliveredAt);

/// <summary>A subscription's event type filter, stored as a JSON array; empty means every type.</summary>
public static class WebhookEventTypes
{
    public static string[] Parse(string json) => JsonSerializer.Deserialize<string[]>(json) ?? [];

    public static bool Matches(string[] filter, string type) => filter.Length == 0 || filter.Contains(type);
}
