using Community.Api.Members;
namespace Community.Api.Reputation;

/// <summary>One row of a member's reputation history.</summary>
public class ReputationChange
{
    public long Id { get; set; }
    public long CommunityId { get; set; }
    public long HubUserId { get; set; }
    public int OldValue { get; set; }
    public int NewValue { get; set; }
    public int Delta { get; set; }
    public required string Reason { get; set; }
    public required string Actor { get; set; }
    public DateTime CreatedAt { get; set; }
}
