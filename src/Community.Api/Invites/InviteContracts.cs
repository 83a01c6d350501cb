namespace Community.Api.Invites;

/// <summary>Both optional: without <see cref="MaxUses"/> the invite admits any number, without a lifetime it never expires.</summary>
public sealed record CreateInviteRequest(int? MaxUses = null, long? ExpiresInSeconds = null)
{
    public const int MaxUsesLimit = 10_000;
    public const long MinLifetimeSeconds = 60;
    public const long MaxLifetimeSeconds = 30 * 24 * 3600;
}

/// <summary>
/// An invite as its community's moderators see it. <see cref="IsActive"/>: it still admits someone (not revoked,
/// expired or used up); lists show active invites first.
/// </summary>
public sealed record InviteResponse(string Code, long CommunityId, string CreatedBy, int? MaxUses, int Uses, DateTime? ExpiresAt,
    DateTime? RevokedAt, DateTime CreatedAt, bool IsActive)
{
    public static InviteResponse From(Invite i, DateTime now) =>
        new(i.Code, i.CommunityId, i.CreatedBy, i.MaxUses, i.Uses, i.ExpiresAt, i.RevokedAt, i.CreatedAt, i.IsUsableAt(now));
}

/// <summary>What the holder of a code sees before accepting it.</summary>
public sealed record InvitePreviewResponse(string Code, InvitedCommunity Community, DateTime? ExpiresAt);

public sealed record InvitedCommunity(long Id, string Name, string? DisplayName, string? AvatarUrl, int MemberCount)
{
    public static InvitedCommunity From(Communities.Community c) => new(c.Id, c.Name, c.DisplayName, c.AvatarUrl, c.MemberCount);
}
