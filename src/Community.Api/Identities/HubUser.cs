namespace Community.Api.Identities;

/// <summary>One person across every platform: the hub user that platform accounts resolve to.</summary>
public class HubUser
{
    public long Id { get; set; }
    public required string Username { get; set; }
    public string? Email { get; set; }
    public string? AvatarUrl { get; set; }
    public bool IsActive { get; set; } = true;

    /// <summary>Set when this user was merged into another; the row stays so old ids still resolve.</summary>
    public long? MergedIntoId { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public List<UserIdentity> Identities { get; set; } = [];
}
