using Community.Api.Auth;
using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Hosting;
using Community.Api.Http;
using Community.Api.Members;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Invites;

/// <summary>
/// A community's invites as its moderators manage them: create, list, revoke. The writes run inside the caller's
/// transaction after it took the community's lock, and record their event and audit entry with the change.
/// </summary>
public sealed class CommunityInvites(CommunityDb db, Journal journal, TimeProvider clock)
{
    public async Task<InviteResponse> CreateAsync(Caller caller, long communityId, int? maxUses, long? lifetimeSeconds, CancellationToken ct)
    {
        RequireTransaction();
        var now = clock.UtcNow();
        var invite = new Invite
        {
            // 71 random bits: a collision is not a case to handle; should one ever happen, the unique index makes it a 409.
            Code = InviteCodes.New(),
            CommunityId = communityId,
            CreatedBy = caller.Key,
            MaxUses = maxUses,
            ExpiresAt = lifetimeSeconds is { } seconds ? now.AddSeconds(seconds) : null,
            CreatedAt = now,
        };
        db.Invites.Add(invite);
        await db.SaveChangesAsync(ct);
        var created = InviteResponse.From(invite, now);
        journal.Record(caller, EventTypes.InviteCreated, communityId, "invite", invite.Code, null, created, new { invite = created });
        await db.SaveChangesAsync(ct);
        return created;
    }

    /// <summary>The invite with this code in this community (revoked, expired and used-up ones too), or null.</summary>
    public Task<Invite?> FindAsync(long communityId, string code, CancellationToken ct) =>
        InviteCodes.IsWellFormed(code)
            ? db.Invites.AsNoTracking().FirstOrDefaultAsync(i => i.Code == code && i.CommunityId == communityId, ct)
            : Task.FromResult<Invite?>(null);

    /// <summary>
    /// Whether the caller may revoke <paramref name="invite"/>: admins and above (and services) any, a moderator only
    /// one it created. Null when it may.
    /// </summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? MayRevoke(Access access, Invite invite) =>
        access.ActorRank >= Roles.Rank(Roles.Admin) || invite.CreatedBy == access.Caller.Key
            ? null
            : CommunityAccess.InsufficientRole(access.ActorRole, Roles.Admin,
                "A moderator revokes only the invites it created; revoking another's needs the role 'admin' or higher.");

    /// <summary>Revokes the invite; revoking it again changes nothing and records nothing.</summary>
    public async Task<InviteResponse> RevokeAsync(Caller caller, Invite invite, CancellationToken ct)
    {
        RequireTransaction();
        var now = clock.UtcNow();
        var before = InviteResponse.From(invite, now);
        var revoked = await db.Invites.Where(i => i.Id == invite.Id && i.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.RevokedAt, now), ct);
        var current = await db.Invites.AsNoTracking().FirstAsync(i => i.Id == invite.Id, ct);
        var after = InviteResponse.From(current, now);
        if (revoked == 0) return after;
        journal.Record(caller, EventTypes.InviteRevoked, invite.CommunityId, "invite", invite.Code, before, after, new { invite = after });
        await db.SaveChangesAsync(ct);
        return after;
    }

    /// <summary>
    /// One page of the community's invites: the active ones (newest first), then the rest (newest first). The cursor
    /// holds the group (0 active, 1 the rest) and the last id, and each group is read by a seek on (community, id).
    /// Activity depends on the clock: an invite that lapses between two pages may show again in the second group,
    /// but none is skipped, since an inactive invite never becomes active again.
    /// </summary>
    public async Task<Page<InviteResponse>> PageAsync(long communityId, int limit, long[] after, Func<long, long, string> cursorOf, CancellationToken ct)
    {
        var now = clock.UtcNow();
        var invites = db.Invites.AsNoTracking().Where(i => i.CommunityId == communityId);
        var take = limit + 1;
        var rows = new List<(long Group, Invite Invite)>();
        // REVIEW: activity is not indexable (it depends on now), so each group's seek filters the rows of the other
        // group it passes. A community's invites number in the hundreds at most; revisit if that stops being true.
        if (after is [] or [0, _])
        {
            var active = invites.Where(i => i.RevokedAt == null && (i.ExpiresAt == null || i.ExpiresAt > now) && (i.MaxUses == null || i.Uses < i.MaxUses));
            if (after is [0, var lastActive]) active = active.Where(i => i.Id < lastActive);
            rows.AddRange((await active.OrderByDescending(i => i.Id).TakePage(limit).ToListAsync(ct)).Select(i => (0L, i)));
        }
        if (rows.Count < take)
        {
            var inactive = invites.Where(i => i.RevokedAt != null || (i.ExpiresAt != null && i.ExpiresAt <= now) || (i.MaxUses != null && i.Uses >= i.MaxUses));
            if (after is [1, var lastInactive]) inactive = inactive.Where(i => i.Id < lastInactive);
            rows.AddRange((await inactive.OrderByDescending(i => i.Id).Take(take - rows.Count).ToListAsync(ct)).Select(i => (1L, i)));
        }
        return Paging.ToPage(rows, limit, r => cursorOf(r.Group, r.Invite.Id), r => InviteResponse.From(r.Invite, now));
    }

    private void RequireTransaction()
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Invite writes run inside the caller's transaction, after it locked the community.");
    }
}
