using Community.Api.Auth;
using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Hosting;
using Community.Api.Http;
using Community.Api.Lookup;
using Community.Api.Members;
using Community.Api.Platforms;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Communities;

/// <summary>Deactivation, restore and ownership transfer: the owner's decisions.</summary>
public static partial class CommunitiesApi
{
    /// <summary>
    /// Deactivates (never deletes): the community stays readable, leaves default lists and refuses joins.
    /// Its platform connections are suspended with it, so another community may connect those channels.
    /// </summary>
    private static async Task<Results<Ok<Envelope<CommunityResponse>>, ProblemHttpResult>> Deactivate(
        long id, Access access, CommunityDb db, Journal journal,
        TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await access.ConfirmAsync(ct) is { } refused) return refused;
        var community = await db.Communities.FirstAsync(c => c.Id == id, ct);
        var before = await db.RepresentAsync(community, ct);
        if (ETags.CheckIfMatch(http.Request, ETags.For(before)) is { } stale) return stale;
        if (!community.IsActive) return Respond(http, before);

        community.IsActive = false;
        community.Version++;
        community.UpdatedAt = clock.UtcNow();
        await db.PlatformConnections.Where(p => p.CommunityId == id).ExecuteUpdateAsync(s => s.SetProperty(p => p.IsActive, false), ct);
        var after = CommunityResponse.From(community, before.Platforms);
        journal.Record(access.Caller, EventTypes.CommunityDeactivated, id, "community", id.ToString(), before, after, new { community = after });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Respond(http, after);
    }

    /// <summary>
    /// Reactivates the community and its platform connections. A connection whose channel another community
    /// connected in the meantime is dropped (with <c>platform.disconnected</c>): that community holds it now.
    /// </summary>
    private static async Task<Results<Ok<Envelope<CommunityResponse>>, ProblemHttpResult>> Restore(
        long id, Access access, CommunityDb db, Journal journal,
        TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await access.ConfirmAsync(ct) is { } refused) return refused;
        var community = await db.Communities.FirstAsync(c => c.Id == id, ct);
        var before = await db.RepresentAsync(community, ct);
        if (community.IsActive) return Respond(http, before);

        var connections = await db.PlatformConnections.Where(p => p.CommunityId == id).ToListAsync(ct);
        var taken = (await (
            from mine in db.PlatformConnections where mine.CommunityId == id
            join other in db.PlatformConnections.Where(o => o.IsActive)
                on new { mine.Platform, mine.PlatformCommunityId } equals new { other.Platform, other.PlatformCommunityId }
            select mine.Id).ToListAsync(ct)).ToHashSet();
        foreach (var connection in connections)
        {
            if (!taken.Contains(connection.Id))
            {
                connection.IsActive = true;
                continue;
            }
            db.PlatformConnections.Remove(connection);
            journal.Event(EventTypes.PlatformDisconnected, id,
                new { connection = PlatformConnectionResponse.From(connection), reason = "connected_by_another_community" });
        }
        community.IsActive = true;
        community.Version++;
        community.UpdatedAt = clock.UtcNow();
        await db.SaveChangesAsync(ct);
        var after = await db.RepresentAsync(community, ct);
        journal.Record(access.Caller, EventTypes.CommunityRestored, id, "community", id.ToString(), before, after, new { community = after });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Respond(http, after);
    }

    /// <summary>Makes an active member the owner; the old owner becomes admin. Exactly one owner before, during and after.</summary>
    private static async Task<Results<Ok<Envelope<CommunityResponse>>, ProblemHttpResult>> TransferOwnership(
        long id, TransferOwnershipRequest request, Access access, CommunityDb db, Journal journal,
        TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        if (request.NewOwnerId is not > 0) return Problems.Validation("new_owner_id", "Is required: the hub user id of an active member.");
        var newOwnerId = request.NewOwnerId.Value;

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Re-read under the community's lock: a former owner whose transfer just committed is no longer the owner.
        if (await access.ConfirmAsync(ct) is { } refused) return refused;
        var community = await db.Communities.FirstAsync(c => c.Id == id, ct);
        if (!community.IsActive) return CommunityProblems.Inactive(id);
        var before = await db.RepresentAsync(community, ct);
        if (community.OwnerId == newOwnerId) return Respond(http, before);

        var now = clock.UtcNow();
        var candidate = await db.Members.AsNoTracking().FirstOrDefaultAsync(m => m.CommunityId == id && m.HubUserId == newOwnerId, ct);
        if (candidate is null) return Problems.MemberNotFound(id, newOwnerId);
        if (candidate.Status != MemberStatus.Active || MemberRules.IsBanned(candidate, now))
            return Problems.Conflict(ErrorCodes.Conflict, $"Hub user {newOwnerId} is not an active member in good standing and cannot become the owner.");

        var oldOwnerId = community.OwnerId;
        // Demote first: the one-owner index must never see two owners, even inside the transaction.
        await db.Members.Where(m => m.CommunityId == id && m.Role == Roles.Owner)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Role, Roles.Admin).SetProperty(m => m.UpdatedAt, now), ct);
        await db.Members.Where(m => m.CommunityId == id && m.HubUserId == newOwnerId)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Role, Roles.Owner).SetProperty(m => m.UpdatedAt, now), ct);
        community.OwnerId = newOwnerId;
        community.Version++;
        community.UpdatedAt = now;
        var after = CommunityResponse.From(community, before.Platforms);
        journal.Record(access.Caller, EventTypes.OwnershipTransferred, id, "community", id.ToString(),
            new { owner_id = oldOwnerId }, new { owner_id = newOwnerId },
            new { community = after, previous_owner_id = oldOwnerId, new_owner_id = newOwnerId, previous_owner_role = Roles.Admin });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Respond(http, after);
    }
}
