namespace Community.Api.Events;

/// <summary>A row of the transactional outbox: written in the same transaction as the change it describes.</summary>
public class OutboxEvent
{
    /// <summary>
    /// Assigned by the database. On PostgreSQL the commit may still move it up (migration EventsOrderedPerCommunity,
    /// see <see cref="FeedHorizon"/>), so the value read back while saving is not the committed one.
    /// </summary>
    public long Id { get; set; }
    public required string Type { get; set; }
    public long? CommunityId { get; set; }
    public DateTime OccurredAt { get; set; }
    public required string DataJson { get; set; }
}
