using Community.Api.ApiDescription;
using Community.Api.Auth;
using Community.Api.Communities;
using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Hosting;
using Community.Api.Http;
using Community.Api.Identities;
using Community.Api.Platforms;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Members;

public sealed record ConnectorJoinReport(string? Platform = null, string? PlatformCommunityId = null, string? PlatformUserId = null, string? PlatformUsername = null, string? AvatarUrl = null);
public sealed record ConnectorLeaveReport(string? Platform = null, string? PlatformCommunityId = null, string? PlatformUserId = null);

/// <summary><see cref="Created"/>: this call made the user a member (new or reactivated); <see cref="UserCreated"/>: it created the hub user.</summary>
public sealed record ConnectorJoinResponse(long CommunityId, long HubUserId, bool Created, bool UserCreated, MemberResponse Member);

public sealed record ConnectorLeaveResponse(long CommunityId, long HubUserId, bool Left, MemberResponse Member);

/// <summary>
/// The Member Join data flow: platform connectors report joins and leaves by platform ids. Joins are idempotent and
/// race-safe (N identical concurrent joins: one hub user, one membership, one <c>member.joined</c>). Connector joins
/// mirror what happened on the platform, so they do not apply the Hub's <c>join_mode</c>.
/// </summary>
public static class ConnectorApi
{
    public static RouteGroupBuilder MapConnectorApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/members").WithTags("Platform connectors");
        group.MapPost("/join", Join).Requires(Permissions.ConnectorMembership)
            .WithName("reportJoin").WithSummary("Report a join from a platform")
            .WithDescription("""
                A connector reports that a platform user joined (or chatted in) a connected channel. Finds the community by
                its connection, resolves or creates the hub user, and creates or reactivates the membership with the default
                reputation. Idempotent and race-safe: N identical concurrent joins give one hub user, one membership and one
                welcome event; `created` is true only for the call that made the membership. It mirrors the platform, so
                `join_mode` does not apply; a ban does (403 `member_banned`).
                """)
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.UnsupportedPlatform, ErrorCodes.CommunityNotFound,
                ErrorCodes.CommunityInactive, ErrorCodes.UserNotFound, ErrorCodes.MemberBanned)
            .Emits(EventTypes.MemberJoined, EventTypes.UserCreated)
            .WithRequestExample(new ConnectorJoinReport("twitch", "waddlepond", "2002", "teal"));
        group.MapPost("/leave", Leave).Requires(Permissions.ConnectorMembership)
            .WithName("reportLeave").WithSummary("Report a leave from a platform")
            .WithDescription("A connector reports that a platform user left a connected channel: the membership ends (status `left`). The owner cannot leave.")
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.UnsupportedPlatform, ErrorCodes.CommunityNotFound,
                ErrorCodes.IdentityNotFound, ErrorCodes.MemberNotFound, ErrorCodes.OwnerCannotLeave)
            .Emits(EventTypes.MemberLeft)
            .WithRequestExample(new ConnectorLeaveReport("twitch", "waddlepond", "2002"));
        return group;
    }

    private static async Task<Results<HotOk<Envelope<ConnectorJoinResponse>>, ProblemHttpResult>> Join(
        ConnectorJoinReport request, Access access, CommunityDb db, IdentityResolver resolver,
        Memberships memberships, JoinSightings sightings, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (Validate(errors, request.Platform, request.PlatformCommunityId, request.PlatformUserId) is { } unsupported) return unsupported;
        var username = errors.Name("platform_username", request.PlatformUsername, 255);
        var avatar = errors.Url("avatar_url", request.AvatarUrl);
        if (errors.HasProblem(out var invalid)) return invalid;

        var channel = request.PlatformCommunityId!.Trim();
        var platformUserId = request.PlatformUserId!.Trim();
        // One read finds the channel's community, the account as last seen and its membership there. The common case, an
        // active member chatting again, is answered by it alone (from cache, once read): no transaction, no lock, no write.
        var now = clock.UtcNow();
        var sighting = await sightings.GetAsync(db, request.Platform!, channel, platformUserId, ct);
        if (sighting is null) return NotConnected(request.Platform!, request.PlatformCommunityId);
        if (!sighting.CommunityActive) return CommunityProblems.Inactive(sighting.CommunityId);
        if (sighting is { Member: { Status: MemberStatus.Active, BannedAt: null } seen, LastSeenAt: { } lastSeen }
            && IdentityResolver.IsRecorded(sighting.PlatformUsername, sighting.AvatarUrl, lastSeen, username, avatar, now))
            return HotOk.Of(Envelope.Of(new ConnectorJoinResponse(sighting.CommunityId, seen.HubUserId, false, false,
                MemberResponse.From(seen, sighting.Username!, now))));

        var communityId = sighting.CommunityId;
        if (sighting.LastSeenAt is null)
        {
            // A viewer never seen before becomes hub user, account and member in one transaction: one commit, where
            // creating the account first takes two, and the community's lock taken only at its end (JoinCreatedUserAsync: on
            // PostgreSQL at COMMIT, which fails if the community was deactivated meanwhile).
            // A join creating the same account at the same moment wins or loses on the identity's unique index; the
            // loser rolls back and joins as for a known account, below.
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (await resolver.TryCreateAsync(access.Caller, request.Platform!, platformUserId, username, avatar, ct) is { } newUser)
            {
                var name = IdentityResolver.DerivedUsername(request.Platform!, platformUserId, username);
                if (await memberships.JoinCreatedUserAsync(access.Caller, communityId, sighting.CommunityName, newUser, name, request.Platform, username, ct) is not { } joined)
                    return CommunityProblems.Inactive(communityId);
                try
                {
                    await tx.CommitAsync(ct);
                }
                catch (Exception e) when (DbErrors.IsCommunityInactiveAtCommit(e))
                {
                    return CommunityProblems.Inactive(communityId);
                }
                return HotOk.Of(Envelope.Of(new ConnectorJoinResponse(communityId, newUser, true, true, joined)));
            }
            await tx.RollbackAsync(ct);
        }

        var identity = await resolver.ResolveAsync(access.Caller, request.Platform!, platformUserId, username, avatar, ct);
        if (await db.FindMemberAsync(communityId, identity.HubUserId, ct) is { Member.Status: MemberStatus.Active } active && active.Member.BannedAt is null)
            return HotOk.Of(Envelope.Of(new ConnectorJoinResponse(communityId, identity.HubUserId, false, identity.Created,
                MemberResponse.From(active.Member, active.Username, clock.UtcNow()))));

        await using var joining = await db.Database.BeginTransactionAsync(ct);
        // The account's user may have been merged into another since it was resolved: the join follows it.
        if (await db.LockActiveUserAsync(identity.HubUserId, followMerges: true, ct) is not { } hubUserId)
            return Problems.UserNotFound(identity.HubUserId);
        if (await db.LockCommunityAsync(communityId, ct) is not { } community) return NotConnected(request.Platform!, request.PlatformCommunityId);
        if (!community.IsActive) return CommunityProblems.Inactive(community.Id);
        var (outcome, member) = await memberships.JoinAsync(access.Caller, community, hubUserId, Roles.Member, request.Platform, username, ct);
        if (outcome == JoinOutcome.Banned) return MemberProblems.Banned(community.Id, hubUserId);
        await joining.CommitAsync(ct);
        return HotOk.Of(Envelope.Of(new ConnectorJoinResponse(community.Id, hubUserId, outcome == JoinOutcome.Joined, identity.Created, member)));
    }

    private static async Task<Results<Ok<Envelope<ConnectorLeaveResponse>>, ProblemHttpResult>> Leave(
        ConnectorLeaveReport request, Access access, CommunityDb db, Memberships memberships, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (Validate(errors, request.Platform, request.PlatformCommunityId, request.PlatformUserId) is { } unsupported) return unsupported;
        if (errors.HasProblem(out var invalid)) return invalid;

        var community = await FindCommunityAsync(db, request.Platform!, request.PlatformCommunityId!.Trim(), ct);
        if (community is null) return NotConnected(request.Platform!, request.PlatformCommunityId);
        var platformUserId = request.PlatformUserId!.Trim();
        var hubUserId = await db.UserIdentities.Where(i => i.Platform == request.Platform && i.PlatformUserId == platformUserId)
            .Select(i => (long?)i.HubUserId).FirstOrDefaultAsync(ct);
        if (hubUserId is null) return IdentityProblems.NotFound(request.Platform!, platformUserId);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await db.LockCommunityAsync(community.Id, ct) is null) return NotConnected(request.Platform!, request.PlatformCommunityId);
        if (await db.Members.AnyAsync(m => m.CommunityId == community.Id && m.HubUserId == hubUserId && m.Role == Roles.Owner, ct))
            return Problems.Conflict(ErrorCodes.OwnerCannotLeave, "The owner cannot leave; transfer ownership first.");
        var (outcome, member) = await memberships.EndAsync(access.Caller, community.Id, hubUserId.Value, MemberStatus.Left, null, ct);
        await tx.CommitAsync(ct);
        return outcome == EndOutcome.NotFound
            ? Problems.MemberNotFound(community.Id, hubUserId.Value)
            : TypedResults.Ok(Envelope.Of(new ConnectorLeaveResponse(community.Id, hubUserId.Value, outcome == EndOutcome.Ended, member!)));
    }

    private static ProblemHttpResult? Validate(FieldErrors errors, string? platform, string? platformCommunityId, string? platformUserId)
    {
        errors.Text("platform_community_id", platformCommunityId, 255, required: true);
        return errors.Account(platform, platformUserId);
    }

    /// <summary>The community a channel belongs to: its active connection, else a deactivated community that still holds it.</summary>
    private static Task<Communities.Community?> FindCommunityAsync(CommunityDb db, string platform, string platformCommunityId, CancellationToken ct) =>
        db.PlatformConnections.AsNoTracking().Where(p => p.Platform == platform && p.PlatformCommunityId == platformCommunityId)
            .OrderByDescending(p => p.IsActive)
            .Join(db.Communities, p => p.CommunityId, c => c.Id, (p, c) => c)
            .FirstOrDefaultAsync(ct);

    private static ProblemHttpResult NotConnected(string platform, string? platformCommunityId) =>
        Problems.NotFound(ErrorCodes.CommunityNotFound, $"No community is connected to {platform} community '{platformCommunityId}'.");
}
