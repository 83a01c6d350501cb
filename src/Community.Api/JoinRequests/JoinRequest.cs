using Community.Api.Members;
namespace Community.Api.JoinRequests;

/// <summary>A self-join to a community whose <c>join_mode</c> is <c>approval</c>, waiting for an admin.</summary>
public class JoinRequest
{
    public long Id { get; set; }
    public long CommunityId { get; set; }
    public long HubUserId { get; set; }
    public string Status { get; set; } = JoinRequestStatus.Pending;
    public string? Message { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? DecidedAt { get; set; }
    public string? DecidedBy { get; set; }
}

public static class JoinRequestStatus
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public static readonly string[] All = [Pending, Approved, Rejected];
}

public sealed record JoinRequestResponse(long Id, long CommunityId, long HubUserId, string Status, DateTime CreatedAt, DateTime? DecidedAt, string? DecidedBy)
{
    public static JoinRequestResponse From(JoinRequest r) => new(r.Id, r.CommunityId, r.HubUserId, r.Status, r.CreatedAt, r.DecidedAt, r.DecidedBy);
}
