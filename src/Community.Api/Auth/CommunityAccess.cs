using Community.Api.Communities;
using Community.Api.Data;
using Community.Api.Http;
using Community.Api.Members;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Auth;

/// <summary>A decision of the role table: the caller's <see cref="Access"/>, or the refusal to answer with.</summary>
public readonly record struct Decision(Access? Access, ProblemHttpResult? Refusal);

/// <summary>
/// Applies the role table. Services need the action's scope. Users need the action's least role in that very
/// community (a role elsewhere counts for nothing, and neither does a role while a ban or timeout holds); super admins
/// may do everything. A private community is invisible (404) to users who are not its members. Endpoints declare
/// which permission they need (<see cref="RequiredPermission"/>); this decides it.
/// </summary>
public sealed class CommunityAccess(IServiceProvider services, KnownCommunities known, TimeProvider clock)
{
    // Taken from the request's services at the first decision that reads: a lookup served from cache, or an action that
    // names no community, then never rents a pooled context (renting and resetting one showed in the lookup's profile).
    private CommunityDb? _db;
    private CommunityDb Db => _db ??= services.GetRequiredService<CommunityDb>();

    /// <summary>The rank services and super admins act with: above every role, so the hierarchy never stops them (the owner rule still does).</summary>
    public const int TrustedRank = 5;

    /// <summary>
    /// A service's every request on a community reads it here; compiled once, so the request skips building the
    /// expression and EF's query-cache lookup (together several times the cost of running this query).
    /// </summary>
    private static readonly CompiledPerModel<Func<CommunityDb, long, CancellationToken, Task<Communities.Community?>>> CommunityById =
        new(() => EF.CompileAsyncQuery((CommunityDb db, long id, CancellationToken ct) => db.Communities.AsNoTracking().FirstOrDefault(c => c.Id == id)));

    /// <summary>Decides an action that names no community.</summary>
    public Decision Decide(Caller caller, Permission permission)
    {
        if (caller.IsService && permission.Users == UserRule.UsersOnly) return Refuse(UsersOnly());
        if (caller.IsService)
            return caller.HasScope(permission.Scope) ? Permit(caller, permission, null, null, "service") : Refuse(MissingScope(permission));
        if (caller.IsSuperAdmin) return Permit(caller, permission, null, null, "super_admin");
        return permission.Users is UserRule.SignedIn or UserRule.UsersOnly ? Permit(caller, permission, null, null, null) : Refuse(ServicesOnly());
    }

    /// <summary>
    /// Whether the caller may create hub users and change what platform accounts say about them: services with
    /// <c>identities:write</c> (connectors) and super admins. Anyone else may only find existing accounts.
    /// </summary>
    public bool MayWriteIdentities(Caller caller) => Decide(caller, Permissions.WriteIdentities).Access is not null;

    /// <summary>
    /// The decision a write acts on: inside the write's transaction, takes the community's row lock (see
    /// <see cref="Communities.CommunityQueries.LockCommunityAsync"/>) and then decides on the caller's standing as it is
    /// now. Every write that could change that standing takes the same lock first, so it holds until this write commits.
    /// </summary>
    public async Task<Decision> LockAndDecideAsync(Caller caller, Permission permission, long communityId, CancellationToken ct)
    {
        if (Db.Database.CurrentTransaction is null) throw new InvalidOperationException("LockAndDecideAsync needs the write's transaction.");
        if (await Db.LockCommunityAsync(communityId, ct) is not { } locked) return Refuse(Problems.CommunityNotFound(communityId));
        return await DecideOnRowAsync(caller, permission, communityId, locked, rowNeeded: true, ct);
    }

    /// <summary>
    /// Decides an action on <paramref name="communityId"/>, reading the community (untracked) on the way. Without
    /// <paramref name="rowNeeded"/> a service's decision skips that read for a community known to exist (the only thing
    /// it decides on) and leaves <see cref="Access.Community"/> null: a hot read such as a member page then costs one
    /// query, not two.
    /// </summary>
    public Task<Decision> DecideAsync(Caller caller, Permission permission, long communityId, bool rowNeeded, CancellationToken ct) =>
        DecideOnRowAsync(caller, permission, communityId, locked: null, rowNeeded, ct);

    private async Task<Decision> DecideOnRowAsync(Caller caller, Permission permission, long communityId, Communities.Community? locked,
        bool rowNeeded, CancellationToken ct)
    {
        if (caller.IsService)
        {
            if (permission.Users == UserRule.UsersOnly) return Refuse(UsersOnly());
            if (!caller.HasScope(permission.Scope)) return Refuse(MissingScope(permission));
            if (!rowNeeded && known.Contains(communityId)) return Permit(caller, permission, communityId, null, "service");
            var community = locked ?? await CommunityById.For(Db)(Db, communityId, ct);
            if (community is null) return Refuse(Problems.CommunityNotFound(communityId));
            known.Add(community.Id);
            return Permit(caller, permission, communityId, community, "service");
        }

        var userId = caller.HubUserId!.Value;
        var now = Hosting.Clock.UtcNow(clock);
        var row = await Db.Communities.AsNoTracking()
            .Where(c => c.Id == communityId)
            .Select(c => new
            {
                Community = c,
                // While a ban or timeout holds the user has no standing here: a timed-out moderator does not moderate.
                Role = Db.Members.Where(m => m.CommunityId == c.Id && m.HubUserId == userId && m.Status == MemberStatus.Active
                        && (m.BannedAt == null || (m.BanExpiresAt != null && m.BanExpiresAt <= now)))
                    .Select(m => m.Role).FirstOrDefault(),
            })
            .FirstOrDefaultAsync(ct);
        if (row is null || (!row.Community.IsPublic && row.Role is null && !caller.IsSuperAdmin))
            return Refuse(Problems.CommunityNotFound(communityId));
        if (caller.IsSuperAdmin) return Permit(caller, permission, communityId, row.Community, "super_admin");

        var needed = permission.Users switch
        {
            UserRule.SignedIn or UserRule.UsersOnly => null,
            UserRule.Member => Roles.Member,
            UserRule.Moderator => Roles.Moderator,
            UserRule.Admin => Roles.Admin,
            UserRule.Owner => Roles.Owner,
            _ => "service",
        };
        if (needed == "service") return Refuse(ServicesOnly());
        if (needed is not null && Roles.Rank(row.Role) < Roles.Rank(needed)) return Refuse(InsufficientRole(row.Role, needed));
        return Permit(caller, permission, communityId, row.Community, row.Role);
    }

    private Decision Permit(Caller caller, Permission permission, long? communityId, Communities.Community? community, string? role) =>
        new(new Access(this, caller, permission, communityId, community, role), null);

    private static Decision Refuse(ProblemHttpResult refusal) => new(null, refusal);

    private static ProblemHttpResult UsersOnly() =>
        Problems.Forbidden(ErrorCodes.Forbidden, "Only users may call this endpoint, for themselves; a service adds members with POST /api/v1/communities/{id}/members.");

    private static ProblemHttpResult ServicesOnly() => Problems.Forbidden(ErrorCodes.Forbidden, "Only services may call this endpoint.");

    public static ProblemHttpResult InsufficientRole(string? actorRole, string neededRole, string? detail = null) =>
        Problems.Forbidden(ErrorCodes.InsufficientRole,
            detail ?? $"This needs the role '{neededRole}' or higher in this community; you have {(actorRole is null ? "no role" : $"'{actorRole}'")}.",
            new Dictionary<string, object?> { ["actor_role"] = actorRole, ["required_role"] = neededRole });

    private static ProblemHttpResult MissingScope(Permission permission) =>
        Problems.Forbidden(ErrorCodes.Forbidden, $"This service key lacks the scope '{permission.Scope}'.",
            new Dictionary<string, object?> { ["required_scope"] = permission.Scope });
}
