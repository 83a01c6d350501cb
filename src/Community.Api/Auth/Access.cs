using Community.Api.Members;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Api.Auth;

/// <summary>
/// What the endpoint's declared permission resolved to for this request: who calls, under which permission, in which
/// community (when the route names one) and with what standing there — its role, or "service" / "super_admin" for the
/// trusted. Only a permitted request reaches a handler, so an <see cref="Access"/> is never a refusal. Handlers take it
/// as a parameter; <see cref="RequiredPermissionFilter"/> puts it there.
/// </summary>
public sealed class Access
{
    private readonly CommunityAccess _rules;

    internal Access(CommunityAccess rules, Caller caller, Permission permission, long? communityId, Communities.Community? community, string? actorRole)
    {
        _rules = rules;
        Caller = caller;
        Permission = permission;
        CommunityId = communityId;
        Community = community;
        ActorRole = actorRole;
    }

    public Caller Caller { get; }
    public Permission Permission { get; }

    /// <summary>The id of the community the permission was decided in; null when the action names none.</summary>
    public long? CommunityId { get; }

    /// <summary>
    /// The community the permission was checked in, as it was read (refreshed by <see cref="ConfirmAsync"/>); null too when
    /// the endpoint declared that its handler does not use it and the decision did not need to read it.
    /// </summary>
    public Communities.Community? Community { get; private set; }

    public string? ActorRole { get; private set; }

    /// <summary>Whether the caller may create hub users and change what platform accounts say (see <see cref="CommunityAccess.MayWriteIdentities"/>).</summary>
    public bool MayWriteIdentities => _rules.MayWriteIdentities(Caller);

    /// <summary>The caller's rank for the hierarchy rules: services and super admins rank above every role.</summary>
    public int ActorRank => ActorRole switch { "service" or "super_admin" => CommunityAccess.TrustedRank, var role => Roles.Rank(role) };

    /// <summary>
    /// What a write decides on: inside the write's transaction, takes the community's row lock and checks the declared
    /// permission again, as things are now. Every write that could change the caller's standing takes the same lock
    /// first, so what this sees holds until the write commits. Null when the caller still may; the refusal otherwise.
    /// </summary>
    public async Task<ProblemHttpResult?> ConfirmAsync(CancellationToken ct)
    {
        var communityId = CommunityId ?? throw new InvalidOperationException("Only an action on a community is confirmed.");
        var (confirmed, refusal) = await _rules.LockAndDecideAsync(Caller, Permission, communityId, ct);
        if (confirmed is null) return refusal;
        Community = confirmed.Community;
        ActorRole = confirmed.ActorRole;
        return null;
    }

    /// <summary>
    /// Minimal APIs bind parameters before endpoint filters run, so binding yields this placeholder and
    /// <see cref="RequiredPermissionFilter"/> swaps in the resolved <see cref="Access"/> before the handler runs.
    /// </summary>
    internal static readonly Access Unresolved = new(null!, null!, null!, null, null, null);

    public static ValueTask<Access?> BindAsync(HttpContext context) => ValueTask.FromResult<Access?>(Unresolved);
}
