using Community.Api.Auth;
using Community.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Api.Members;

/// <summary>The membership rules every endpoint shares, written once.</summary>
public static class MemberRules
{
    /// <summary>A ban holds from <c>banned_at</c> until it is lifted or, for a timeout, until <c>ban_expires_at</c> passes.</summary>
    public static bool IsBanned(Member member, DateTime now) => IsBanned(member.BannedAt, member.BanExpiresAt, now);

    public static bool IsBanned(DateTime? bannedAt, DateTime? expiresAt, DateTime now) =>
        bannedAt is not null && (expiresAt is null || expiresAt > now);

    /// <summary>The hierarchy rule: an actor changes, removes, bans or unbans only members ranked strictly below itself.</summary>
    public static ProblemHttpResult? MayActOn(Access actor, Member target) =>
        actor.ActorRank > Roles.Rank(target.Role)
            ? null
            : CommunityAccess.InsufficientRole(actor.ActorRole, Roles.Above(target.Role),
                $"You may act only on members ranked below you; acting on a {target.Role} needs the role '{Roles.Above(target.Role)}' or higher.");

    /// <summary>
    /// Acting on the owner: an actor the owner outranks is refused by the hierarchy (403 <c>insufficient_role</c>), as it
    /// would be for any member ranked above it; only those who could otherwise act (services, super admins, the owner
    /// itself) meet <paramref name="ownerRule"/>, since the owner moves only by transfer.
    /// </summary>
    public static ProblemHttpResult OnOwner(Access actor, ProblemHttpResult ownerRule) =>
        actor.ActorRank < Roles.Rank(Roles.Owner)
            ? CommunityAccess.InsufficientRole(actor.ActorRole, Roles.Owner, "You may act only on members ranked below you, and the owner ranks above every member.")
            : ownerRule;

    /// <summary>The grant rule: an actor grants only roles strictly below its own (and nobody grants owner: it moves by transfer).</summary>
    public static ProblemHttpResult? MayGrant(Access actor, string role) =>
        actor.ActorRank > Roles.Rank(role)
            ? null
            : CommunityAccess.InsufficientRole(actor.ActorRole, Roles.Above(role),
                $"You may grant only roles below your own; granting '{role}' needs the role '{Roles.Above(role)}' or higher.");
}
