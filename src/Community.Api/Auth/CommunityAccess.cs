using Community.Api.Communities;
using Community.Api.Data;
using Community.Api.Http;
using Community.Api.Members;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Auth;

/// <summary>
/// The outcome of an access check: the community (when one was named) and the caller's standing in it
/// (its role there, or "service" / "super_admin" for the trusted), or the refusal.
/// </summary>
public sealed record Grant(Communities.Community? Community, string? ActorRole, ProblemHttpResult? Problem)
{
    /// <summary>The caller's rank for the hierarchy rules: services and super admins rank above every role.</summary>
    public int ActorRank => ActorRole switch { "service" or "super_admin" => CommunityAccess.TrustedRank, var role => Roles.Rank(role) };
}

/// <summary>
/// Applies the role table. Services need the action's scope. Users need the action's least role in that very
/// community (a role elsewhere counts for nothing, and neither does a role while a ban or timeout holds); super admins
/// may do everything. A private community is invisible (404) to users who are not its members.
/// </summary>
public sealed class CommunityAccess(CommunityDb db, TimeProvider clock)
{
    /// <summary>The rank services and super admins act with: above every role, so the hierarchy never stops them (the owner rule still does).</summary>
    public const int TrustedRank = 5;

    /// <summary>Checks an action that names no community.</summary>
    public Grant Check(Caller caller, Permission permission)
    {
        if (caller.IsService)
            return caller.HasScope(permission.Scope) ? new(null, "service", null) : new(null, null, MissingScope(permission));
        if (caller.IsSuperAdmin) return new(null, "super_admin", null);
        return permission.Users == UserRule.SignedIn
            ? new(null, null, null)
            : new(null, null, Problems.Forbidden(ErrorCodes.Forbidden, "Only services may call this endpoint."));
    }

    /// <summary>
    /// Whether the caller may create hub users and change what platform accounts say about them: services with
    /// <c>identities:write</c> (connectors) and super admins. Anyone else may only find existing accounts.
    /// </summary>
    public bool MayWriteIdentities(Caller caller) => Check(caller, Permissions.WriteIdentities).Problem is null;

    /// <summary>
    /// The check a write decides on: inside the write's transaction, takes the community's row lock (see
    /// <see cref="Communities.CommunityQueries.LockCommunityAsync"/>) and then checks the caller's standing as it is now.
    /// Every write that could change that standing takes the same lock first, so it holds until this write commits; a
    /// check made before the transaction (the endpoint's early refusal) is never what a write acts on.
    /// </summary>
    public async Task<Grant> LockAndCheckAsync(Caller caller, long communityId, Permission permission, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null) throw new InvalidOperationException("LockAndCheckAsync needs the write's transaction.");
        if (!await db.LockCommunityAsync(communityId, ct)) return new(null, null, Problems.CommunityNotFound(communityId));
        return await CheckAsync(caller, communityId, permission, ct);
    }

    /// <summary>Checks an action on <paramref name="communityId"/>, loading the community (untracked) on the way.</summary>
    public async Task<Grant> CheckAsync(Caller caller, long communityId, Permission permission, CancellationToken ct)
    {
        if (caller.IsService)
        {
            if (!caller.HasScope(permission.Scope)) return new(null, null, MissingScope(permission));
            var community = await db.Communities.AsNoTracking().FirstOrDefaultAsync(c => c.Id == communityId, ct);
            return community is null ? new(null, null, Problems.CommunityNotFound(communityId)) : new(community, "service", null);
        }

        var userId = caller.HubUserId!.Value;
        var now = Hosting.Clock.UtcNow(clock);
        var row = await db.Communities.AsNoTracking()
            .Where(c => c.Id == communityId)
            .Select(c => new
            {
                Community = c,
                // While a ban or timeout holds the user has no standing here: a timed-out moderator does not moderate.
                Role = db.Members.Where(m => m.CommunityId == c.Id && m.HubUserId == userId && m.Status == MemberStatus.Active
                        && (m.BannedAt == null || (m.BanExpiresAt != null && m.BanExpiresAt <= now)))
                    .Select(m => m.Role).FirstOrDefault(),
            })
            .FirstOrDefaultAsync(ct);
        if (row is null || (!row.Community.IsPublic && row.Role is null && !caller.IsSuperAdmin))
            return new(null, null, Problems.CommunityNotFound(communityId));
        if (caller.IsSuperAdmin) return new(row.Community, "super_admin", null);

        var needed = permission.Users switch
        {
            UserRule.SignedIn => null,
            UserRule.Member => Roles.Member,
            UserRule.Moderator => Roles.Moderator,
            UserRule.Admin => Roles.Admin,
            UserRule.Owner => Roles.Owner,
            _ => "service",
        };
        if (needed == "service")
            return new(row.Community, row.Role, Problems.Forbidden(ErrorCodes.Forbidden, "Only services may call this endpoint."));
        if (needed is not null && Roles.Rank(row.Role) < Roles.Rank(needed))
            return new(row.Community, row.Role, InsufficientRole(row.Role, needed));
        return new(row.Community, row.Role, null);
    }

    public static ProblemHttpResult InsufficientRole(string? actorRole, string neededRole, string? detail = null) =>
        Problems.Forbidden(ErrorCodes.InsufficientRole,
            detail ?? $"This needs the role '{neededRole}' or higher in this community; you have {(actorRole is null ? "no role" : $"'{actorRole}'")}.",
            new Dictionary<string, object?> { ["actor_role"] = actorRole, ["required_role"] = neededRole });

    private static ProblemHttpResult MissingScope(Permission permission) =>
        Problems.Forbidden(ErrorCodes.Forbidden, $"This service key lacks the scope '{permission.Scope}'.",
            new Dictionary<string, object?> { ["required_scope"] = permission.Scope });
}
