using Community.Api.JoinRequests;
using Community.Api.Communities;
using Community.Api.Auth;
using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Hosting;
using Community.Api.Members;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Identities;

/// <summary>
/// Merges one hub user into another, in one transaction: memberships move (where both are members of a community
/// the higher role and the higher reputation win, the one owner stays owner, and a ban that holds carries over),
/// identities, reputation history and join requests move, ownerships move, the merged user is deactivated and
/// remembers whom it became, member counts are recounted, and <c>user.merged</c> is written.
/// </summary>
public sealed class UserMerger(CommunityDb db, Journal journal, TimeProvider clock)
{
    /// <summary>
    /// Runs inside the caller's transaction, which has locked both users (<see cref="UserQueries.LockUsersForUpdateAsync"/>)
    /// and seen both active; the communities involved are locked here, in id order, before their rows change.
    /// </summary>
    public async Task MergeAsync(Caller caller, long sourceId, long targetId, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null) throw new InvalidOperationException("A merge runs inside the caller's transaction.");
        var now = clock.UtcNow();
        var source = await db.HubUsers.FirstAsync(u => u.Id == sourceId, ct);
        var moved = await db.UserIdentities.AsNoTracking().Where(i => i.HubUserId == sourceId)
            .Select(i => new { i.Platform, i.PlatformUserId }).ToListAsync(ct);

        var communityIds = await db.Members.Where(m => m.HubUserId == sourceId).Select(m => m.CommunityId).ToListAsync(ct);
        foreach (var communityId in communityIds.Order()) await db.LockCommunityAsync(communityId, ct);
        var sourceMembers = await db.Members.Where(m => m.HubUserId == sourceId).ToListAsync(ct);
        var targetMembers = await db.Members.Where(m => m.HubUserId == targetId && communityIds.Contains(m.CommunityId))
            .ToDictionaryAsync(m => m.CommunityId, ct);

        // Overlaps first: the source's row goes before the target's row may take the owner role (one owner per community).
        var overlaps = sourceMembers.Where(m => targetMembers.ContainsKey(m.CommunityId)).ToList();
        db.Members.RemoveRange(overlaps);
        await db.SaveChangesAsync(ct);
        foreach (var gone in overlaps) Combine(targetMembers[gone.CommunityId], gone, now);
        foreach (var member in sourceMembers.Except(overlaps)) member.HubUserId = targetId;
        await db.SaveChangesAsync(ct);

        await db.Communities.Where(c => c.OwnerId == sourceId).ExecuteUpdateAsync(s => s.SetProperty(c => c.OwnerId, targetId), ct);
        var targetHasPrimary = await db.UserIdentities.AnyAsync(i => i.HubUserId == targetId && i.IsPrimary, ct);
        await db.UserIdentities.Where(i => i.HubUserId == sourceId)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.HubUserId, targetId).SetProperty(i => i.IsPrimary, i => i.IsPrimary && !targetHasPrimary), ct);
        await db.ReputationHistory.Where(h => h.HubUserId == sourceId).ExecuteUpdateAsync(s => s.SetProperty(h => h.HubUserId, targetId), ct);
        await db.JoinRequests.Where(r => r.HubUserId == sourceId && r.Status == JoinRequestStatus.Pending
                && db.JoinRequests.Any(t => t.HubUserId == targetId && t.CommunityId == r.CommunityId && t.Status == JoinRequestStatus.Pending))
            .ExecuteDeleteAsync(ct);
        await db.JoinRequests.Where(r => r.HubUserId == sourceId).ExecuteUpdateAsync(s => s.SetProperty(r => r.HubUserId, targetId), ct);
        await db.Communities.Where(c => communityIds.Contains(c.Id)).ExecuteUpdateAsync(s => s.SetProperty(c => c.MemberCount,
            c => db.Members.Count(m => m.CommunityId == c.Id && m.Status == MemberStatus.Active)), ct);

        source.IsActive = false;
        source.MergedIntoId = targetId;
        source.UpdatedAt = now;
        var memberships = await db.MembersWithNames().Where(r => r.Member.HubUserId == targetId && communityIds.Contains(r.Member.CommunityId))
            .ToListAsync(ct);
        var data = new
        {
            source_hub_user_id = sourceId,
            target_hub_user_id = targetId,
            identities = moved.Select(i => new { platform = i.Platform, platform_user_id = i.PlatformUserId }),
            memberships = memberships.Select(r => MemberResponse.From(r.Member, r.Username, now)),
        };
        journal.Record(caller, EventTypes.UserMerged, null, "hub_user", targetId.ToString(),
            new { hub_user_id = sourceId }, new { merged_into_id = targetId }, data);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Folds the source's membership into the target's: stronger role, higher reputation, earlier join, the ban that holds longest.</summary>
    private static void Combine(Member target, Member source, DateTime now)
    {
        if (Roles.Rank(source.Role) > Roles.Rank(target.Role)) target.Role = source.Role;
        target.Reputation = Math.Max(target.Reputation, source.Reputation);
        if (source.JoinedAt < target.JoinedAt) target.JoinedAt = source.JoinedAt;
        target.Status = (source.Status, target.Status) switch
        {
            (MemberStatus.Banned, _) or (_, MemberStatus.Banned) => MemberStatus.Banned,
            (MemberStatus.Active, _) or (_, MemberStatus.Active) => MemberStatus.Active,
            _ => target.Status,
        };
        if (MemberRules.IsBanned(source, now) && (!MemberRules.IsBanned(target, now) || Outlasts(source, target)))
        {
            target.BannedAt = source.BannedAt;
            target.BanReason = source.BanReason;
            target.BanExpiresAt = source.BanExpiresAt;
        }
        if (target.Role == Roles.Owner)
        {
            // The owner can never be banned: ownership wins over a ban carried from the other account.
            target.Status = MemberStatus.Active;
            target.BannedAt = target.BanExpiresAt = null;
            target.BanReason = null;
        }
        target.UpdatedAt = now;
    }

    private static bool Outlasts(Member a, Member b) => a.BanExpiresAt is null || (b.BanExpiresAt is not null && a.BanExpiresAt > b.BanExpiresAt);
}
