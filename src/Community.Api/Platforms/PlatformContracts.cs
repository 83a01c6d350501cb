using System.Text.Json;

namespace Community.Api.Platforms;

public sealed record ConnectPlatformRequest(string? Platform = null, string? PlatformCommunityId = null, string? DisplayName = null, JsonElement? Credentials = null);

/// <summary>A connection as clients see it: credentials are never returned, only whether there are any.</summary>
public sealed record PlatformConnectionResponse(
    long Id,
    long CommunityId,
    string Platform,
    string PlatformCommunityId,
    string? DisplayName,
    bool IsPrimary,
    bool HasCredentials,
    DateTime CreatedAt)
{
    public static PlatformConnectionResponse From(PlatformConnection c) =>
        new(c.Id, c.CommunityId, c.Platform, c.PlatformCommunityId, c.DisplayName, c.IsPrimary, c.CredentialsCiphertext is not null, c.CreatedAt);
}
