namespace Community.Api.Audit;

/// <summary>Who did what to what, with the state before and after; written in the same transaction as the write.</summary>
public class AuditEntry
{
    public long Id { get; set; }
    public long? CommunityId { get; set; }
    public required string ActorType { get; set; }
    public required string ActorId { get; set; }
    public required string Action { get; set; }
    public required string TargetType { get; set; }
    public string? TargetId { get; set; }
    public string? BeforeJson { get; set; }
    public string? AfterJson { get; set; }
    public DateTime OccurredAt { get; set; }
}
