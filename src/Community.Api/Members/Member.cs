using Community.Api.Reputation;
namespace Community.Api.Members;

/// <summary>A hub user's membership of one community. One row per (community, user), whatever its status.</summary>
public class Member
{
    public long Id { get; set; }
    public long CommunityId { get; set; }
    public long HubUserId { get; set; }
    public string Role { get; set; } = Roles.Member;
    public int Reputation { get; set; } = ReputationScale.Default;
    public string Status { get; set; } = MemberStatus.Active;
    public DateTime JoinedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>A ban or timeout holds while <see cref="BannedAt"/> is set and <see cref="BanExpiresAt"/> is null or in the future.</summary>
    public DateTime? BannedAt { get; set; }
    public string? BanReason { get; set; }
    public DateTime? BanExpiresAt { get; set; }
}

public static class MemberStatus
{
    public const string Active = "active";
    public const string Left = "left";
    public const string Removed = "removed";
    public const string Banned = "banned";
    public static readonly string[] All = [Active, Left, Removed, Banned];
}
