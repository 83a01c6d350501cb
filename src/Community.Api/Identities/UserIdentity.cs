namespace Community.Api.Identities;

/// <summary>A platform account. <c>(Platform, PlatformUserId)</c> belongs to exactly one hub user.</summary>
public class UserIdentity
{
    public long Id { get; set; }
    public long HubUserId { get; set; }
    public required string Platform { get; set; }
    public required string PlatformUserId { get; set; }
    public string? PlatformUsername { get; set; }
    public string? AvatarUrl { get; set; }
    public bool IsPrimary { get; set; }
    public DateTime LinkedAt { get; set; }
    public DateTime LastSeenAt { get; set; }
}
