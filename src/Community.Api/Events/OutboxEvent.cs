namespace Community.Api.Events;

/// <summary>A row of the transactional outbox: written in the same transaction as the change it describes.</summary>
public class OutboxEvent
{
    public long Id { get; set; }
    public required string Type { get; set; }
    public long? CommunityId { get; set; }
    public DateTime OccurredAt { get; set; }
    public required string DataJson { get; set; }
}
