namespace Community.Api.Invites;

/// <summary>
/// A code that admits its holder to a community in any <c>join_mode</c>: an admin's approval given in advance, with an
/// optional use limit and expiry. <see cref="Uses"/> changes only through one conditional increment (see
/// <see cref="InviteAcceptance"/>), so it never passes <see cref="MaxUses"/>.
/// </summary>
public class Invite
{
    /// <summary>Internal: orders the community's list (newest first) and keys its cursors. Clients know invites by code.</summary>
    public long Id { get; set; }

    public required string Code { get; set; }
    public long CommunityId { get; set; }

    /// <summary>The creator as <c>user:{id}</c> or <c>service:{key name}</c>: a moderator may revoke only its own.</summary>
    public required string CreatedBy { get; set; }

    /// <summary>Null: unlimited.</summary>
    public int? MaxUses { get; set; }

    public int Uses { get; set; }

    /// <summary>Null: never.</summary>
    public DateTime? ExpiresAt { get; set; }

    public DateTime? RevokedAt { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>Whether the code still admits someone at <paramref name="now"/>: not revoked, not expired, not used up.</summary>
    public bool IsUsableAt(DateTime now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now) && (MaxUses is null || Uses < MaxUses);
}
