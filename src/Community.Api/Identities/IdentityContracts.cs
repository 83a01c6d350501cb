namespace Community.Api.Identities;

public sealed record ResolveIdentityRequest(string? Platform = null, string? PlatformUserId = null, string? PlatformUsername = null, string? AvatarUrl = null);

public sealed record ResolveIdentityResponse(long HubUserId, bool Created, HubUserResponse User);

public sealed record CreateUserRequest(string? Username = null, string? Email = null, string? AvatarUrl = null);

/// <summary>Links a platform account; with <see cref="Merge"/> an account owned by another hub user brings that whole user along.</summary>
public sealed record LinkIdentityRequest(string? Platform = null, string? PlatformUserId = null, string? PlatformUsername = null, bool? Merge = null);

public sealed record HubUserResponse(
    long Id,
    string Username,
    string? Email,
    string? AvatarUrl,
    bool IsActive,
    long? MergedIntoId,
    DateTime CreatedAt,
    IReadOnlyList<IdentityResponse> Identities);

public sealed record IdentityResponse(
    string Platform,
    string PlatformUserId,
    string? PlatformUsername,
    string? AvatarUrl,
    bool IsPrimary,
    DateTime LinkedAt,
    DateTime LastSeenAt)
{
    public static IdentityResponse From(UserIdentity i) =>
        new(i.Platform, i.PlatformUserId, i.PlatformUsername, i.AvatarUrl, i.IsPrimary, i.LinkedAt, i.LastSeenAt);
}

/// <summary>One of a user's active memberships, for <c>GET /api/v1/users/{id}/communities</c>.</summary>
public sealed record UserCommunityResponse(
    long CommunityId,
    string Name,
    string? DisplayName,
    bool IsActive,
    string Role,
    int Reputation,
    string ReputationTier,
    DateTime JoinedAt);
