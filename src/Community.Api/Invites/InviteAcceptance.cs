using Community.Api.Auth;
using Community.Api.Communities;
using Community.Api.Data;
using Community.Api.Hosting;
using Community.Api.Identities;
using Community.Api.Members;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Invites;

public enum AcceptOutcome { Joined, AlreadyMember, NotFound, Banned, CommunityInactive, UserNotFound }

public sealed record AcceptResult(AcceptOutcome Outcome, long CommunityId = 0, MemberResponse? Member = null);

public enum PreviewOutcome { Found, NotFound, CommunityInactive }

public sealed record PreviewResult(PreviewOutcome Outcome, InvitePreviewResponse? Preview = null, long CommunityId = 0);

/// <summary>
/// What the holder of a code does with it: preview the community, and accept (join it). Unknown, revoked, expired and
/// used-up codes are one answer, <see cref="AcceptOutcome.NotFound"/> (counted by <see cref="CountFailedInviteLookups"/>).
/// </summary>
public sealed class InviteAcceptance(CommunityDb db, Memberships memberships, TimeProvider clock)
{
    public async Task<PreviewResult> PreviewAsync(string code, CancellationToken ct)
    {
        if (await FindUsableAsync(code, clock.UtcNow(), ct) is not (var invite, var community)) return new(PreviewOutcome.NotFound);
        return community.IsActive
            ? new(PreviewOutcome.Found, new InvitePreviewResponse(invite.Code, InvitedCommunity.From(community), invite.ExpiresAt), community.Id)
            : new(PreviewOutcome.CommunityInactive, CommunityId: community.Id);
    }

    /// <summary>
    /// Joins the calling user to the invite's community in one transaction: the user's share lock, the community's lock,
    /// the membership (through <see cref="Memberships.JoinAsync"/>, whatever the <c>join_mode</c>) and, only when that
    /// made the user a member, one use, taken by a single conditional UPDATE. When that UPDATE finds no use left (or the
    /// invite revoked or expired meanwhile), the whole transaction rolls back, membership and event included: N
    /// concurrent accepts of an invite with M uses left admit exactly M.
    /// </summary>
    public async Task<AcceptResult> AcceptAsync(Caller caller, string code, CancellationToken ct)
    {
        // Read without locks to learn the community (locked only after the user: the lock order) and to turn away dead
        // codes cheaply. It decides nothing for a join: the UPDATE below does. An active member whose code dies meanwhile
        // still hears 200, which changes nothing.
        if (await FindUsableAsync(code, clock.UtcNow(), ct) is not (var invite, _)) return new(AcceptOutcome.NotFound);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var userId = caller.HubUserId!.Value;
        if (await db.LockActiveUserAsync(userId, followMerges: false, ct) is null) return new(AcceptOutcome.UserNotFound);
        if (await db.LockCommunityAsync(invite.CommunityId, ct) is not { } community) return new(AcceptOutcome.NotFound);
        if (!community.IsActive) return new(AcceptOutcome.CommunityInactive, community.Id);

        var eventData = new Dictionary<string, object?> { ["invite_code"] = invite.Code };
        var (outcome, member) = await memberships.JoinAsync(caller, community, userId, Roles.Member, null, null, ct, eventData);
        if (outcome == JoinOutcome.Banned) return new(AcceptOutcome.Banned, community.Id);
        if (outcome == JoinOutcome.AlreadyActive) return new(AcceptOutcome.AlreadyMember, community.Id, member);

        // The guard itself, not a read then a write: the database decides whether a use is left.
        var now = clock.UtcNow();
        var taken = await db.Database.SqlQuery<int>($"""
            UPDATE invites SET uses = uses + 1
            WHERE code = {invite.Code} AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > {now})
              AND (max_uses IS NULL OR uses < max_uses)
            RETURNING uses AS "Value"
            """).ToListAsync(ct);
        if (taken.Count == 0)
        {
            await tx.RollbackAsync(ct);
            return new(AcceptOutcome.NotFound);
        }
        await tx.CommitAsync(ct);
        return new(AcceptOutcome.Joined, community.Id, member);
    }

    /// <summary>The invite and its community when the code is one that still admits someone at <paramref name="now"/>.</summary>
    private async Task<(Invite Invite, Communities.Community Community)?> FindUsableAsync(string code, DateTime now, CancellationToken ct)
    {
        if (!InviteCodes.IsWellFormed(code)) return null;
        var row = await db.Invites.AsNoTracking().Where(i => i.Code == code)
            .Join(db.Communities.AsNoTracking(), i => i.CommunityId, c => c.Id, (i, c) => new { Invite = i, Community = c })
            .FirstOrDefaultAsync(ct);
        return row is not null && row.Invite.IsUsableAt(now) ? (row.Invite, row.Community) : null;
    }
}
