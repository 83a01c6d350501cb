namespace Community.Api.Communities;

public class Community
{
    public long Id { get; set; }
    public required string Name { get; set; }

    /// <summary>Lower-cased <see cref="Name"/>: its unique index makes names unique case-insensitively on both providers.</summary>
    public required string NameKey { get; set; }

    public string? DisplayName { get; set; }
    public string? Description { get; set; }
    public string? AvatarUrl { get; set; }
    public long OwnerId { get; set; }
    public string Tier { get; set; } = Tiers.Free;
    public bool IsPublic { get; set; } = true;
    public bool IsActive { get; set; } = true;

    /// <summary>Active members. Changed only by atomic SQL increments in the same transaction as the membership.</summary>
    public int MemberCount { get; set; }

    /// <summary>Optimistic concurrency token: bumped by every update of the community's own fields.</summary>
    public int Version { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public static class Tiers
{
    public const string Free = "free";
    public const string Premium = "premium";
    public static readonly string[] All = [Free, Premium];
}
