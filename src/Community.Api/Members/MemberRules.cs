namespace Community.Api.Members;

/// <summary>The membership rules every endpoint shares, written once.</summary>
public static class MemberRules
{
    /// <summary>A ban holds from <c>banned_at</c> until it is lifted or, for a timeout, until <c>ban_expires_at</c> passes.</summary>
    public static bool IsBanned(Member member, DateTime now) =>
        member.BannedAt is not null && (member.BanExpiresAt is null || member.BanExpiresAt > now);
}
