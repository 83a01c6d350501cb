namespace Community.Api.Platforms;

/// <summary>A community's link to a channel, server or workspace on one platform.</summary>
public class PlatformConnection
{
    public long Id { get; set; }
    public long CommunityId { get; set; }
    public required string Platform { get; set; }
    public required string PlatformCommunityId { get; set; }
    public string? DisplayName { get; set; }
    public bool IsPrimary { get; set; }

    /// <summary>
    /// False while the owning community is deactivated. Only active connections take part in the
    /// uniqueness rule, so a deactivated community does not hold a platform community hostage.
    /// </summary>
    public bool IsActive { get; set; } = true;

    /// <summary>Credentials JSON sealed by <see cref="Security.SecretProtector"/>; never leaves the service.</summary>
    public string? CredentialsCiphertext { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>The platforms the module knows, lowercase. Anything else is <c>unsupported_platform</c>.</summary>
public static class SupportedPlatforms
{
    public static readonly string[] All = ["twitch", "youtube", "discord", "kick", "slack"];
    public static bool IsSupported(string? platform) => platform is not null && All.Contains(platform);
}
