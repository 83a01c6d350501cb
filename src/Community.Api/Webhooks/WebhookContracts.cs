using Community.Api.Events;
using System.Text.Json;

namespace Community.Api.Webhooks;

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
