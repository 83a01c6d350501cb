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
