using System.Text.Json.Serialization;
using Community.Api.Http;

namespace Community.Api.Communities;

public sealed record CreateCommunityRequest(
    string? Name = null,
    string? DisplayName = null,
    string? Description = null,
    string? AvatarUrl = null,
    bool? IsPublic = null,
    string? Tier = null,
    long? OwnerId = null,
    OwnerIdentity? Owner = null);

/// <summary>The owner by platform account, resolved (or created) as identity resolve does.</summary>
public sealed record OwnerIdentity(string? Platform = null, string? PlatformUserId = null, string? PlatformUsername = null);

/// <summary>PUT and PATCH alike: only the fields present change.</summary>
public sealed record UpdateCommunityRequest(
    Optional<string?> Name,
    Optional<string?> DisplayName,
    Optional<string?> Description,
    Optional<string?> AvatarUrl,
    Optional<bool?> IsPublic,
    Optional<string?> Tier);

public sealed record TransferOwnershipRequest(long? NewOwnerId = null);

public sealed record CommunityResponse(
    long Id,
    string Name,
    string? DisplayName,
    string? Description,
    string? AvatarUrl,
    long OwnerId,
    string Tier,
    bool IsPublic,
    bool IsActive,
    int MemberCount,
    IReadOnlyList<CommunityPlatformSummary> Platforms,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    public static CommunityResponse From(Community c, IReadOnlyList<CommunityPlatformSummary> platforms) =>
        new(c.Id, c.Name, c.DisplayName, c.Description, c.AvatarUrl, c.OwnerId, c.Tier, c.IsPublic, c.IsActive, c.MemberCount,
            platforms, c.CreatedAt, c.UpdatedAt);
}

public sealed record CommunityPlatformSummary(string Platform, string PlatformCommunityId, string? DisplayName);

public sealed record CommunityStats(
    long CommunityId,
    MemberStats Members,
    PlatformStats Platforms,
    JoinStats Joins,
    ReputationStats Reputation);

public sealed record MemberStats(int Total, int Active, Dictionary<string, int> ByRole, Dictionary<string, int> ByStatus);
public sealed record PlatformStats(int Total, Dictionary<string, int> ByPlatform);
public sealed record JoinStats(
    [property: JsonPropertyName("last_1d")] int Last1Day,
    [property: JsonPropertyName("last_7d")] int Last7Days,
    [property: JsonPropertyName("last_30d")] int Last30Days);
public sealed record ReputationStats(double? Average, Dictionary<string, int> ByTier);
