using Community.Api.Reputation;
namespace Community.Api.Members;

/// <summary>A membership as the API shows it. <see cref="Ban"/> is present only while a ban or timeout holds.</summary>
public sealed record MemberResponse(
    long CommunityId,
    long HubUserId,
    string Username,
    string Role,
    int Reputation,
    string ReputationTier,
    string Status,
    DateTime JoinedAt,
    DateTime UpdatedAt,
    BanResponse? Ban)
{
    public static MemberResponse From(Member m, string username, DateTime now) =>
        new(m.CommunityId, m.HubUserId, username, m.Role, m.Reputation, ReputationScale.Tier(m.Reputation), m.Status, m.JoinedAt, m.UpdatedAt,
            MemberRules.IsBanned(m, now) ? new BanResponse(m.BanReason, m.BanExpiresAt) : null);
}

public sealed record BanResponse(string? Reason, DateTime? ExpiresAt);

/// <summary>Add a member by hub user id, or by platform account (resolved or created as identity resolve does).</summary>
public sealed record AddMemberRequest(long? HubUserId = null, string? Platform = null, string? PlatformUserId = null, string? PlatformUsername = null, string? Role = null);

public sealed record ChangeRoleRequest(string? Role = null);

public sealed record BanRequest(string? Reason = null, long? DurationSeconds = null);
