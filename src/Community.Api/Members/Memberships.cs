using Community.Api.Auth;
using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Hosting;
using Community.Api.Lookup;
using Community.Api.Operations;
using Community.Api.Settings;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;

namespace Community.Api.Members;

public enum JoinOutcome { Joined, AlreadyActive, Banned }

public enum EndOutcome { Ended, NotActive, NotFound, IsOwner }

/// <summary>
/// Every membership state change, written once for all the endpoints that cause it (connector joins, admin adds,
/// self-joins, leaves, kicks, bans). Each is one transaction holding the change, <c>member_count</c>, the outbox
/// event and the audit entry; the state transitions are single conditional statements, so concurrent calls cannot
/// double-count or double-emit.
/// </summary>
public sealed class Memberships(CommunityDb db, Journal journal, SettingsStore settings, RouteCache routes, TimeProvider clock)
{
    /// <summary>
    /// Makes the user an active member: inserts the membership, or reactivates a left/removed one (reputation kept),
    /// unless a ban holds. Runs in the caller's transaction when there is one. One INSERT … ON CONFLICT DO UPDATE … WHERE decides it atomically: of N concurrent joins
    /// exactly one sees a row come back and counts and announces the join.
    /// </summary>
    public async Task<(JoinOutcome Outcome, MemberResponse Member)> JoinAsync(Caller caller, Communities.Community community, long hubUserId,
        string role, string? platform, string? displayName, CancellationToken ct)
    {
        var now = clock.UtcNow();
        var ownTransaction = db.Database.CurrentTransaction is null;
        if (ownTransaction && await db.FindMemberAsync(community.Id, hubUserId, ct) is { Member.Status: MemberStatus.Active } active)
        {
            // The common case on the connector path (a member chatting again) is answered by one read: no write
            // transaction, no lock. Anything else goes through the atomic upsert below.
            var state = MemberResponse.From(active.Member, active.Username, now);
            return (MemberRules.IsBanned(active.Member, now) ? JoinOutcome.Banned : JoinOutcome.AlreadyActive, state);
        }
        var effective = await settings.GetAsync(community.Id, ct);
        await using var tx = ownTransaction ? await db.Database.BeginTransactionAsync(ct) : null;
        var changed = await db.Database.SqlQuery<long>($"""
            INSERT INTO community_members (community_id, hub_user_id, role, reputation, status, joined_at, updated_at)
            VALUES ({community.Id}, {hubUserId}, {role}, {effective.StartingScore}, {MemberStatus.Active}, {now}, {now})
            ON CONFLICT (community_id, hub_user_id) DO UPDATE
                SET status = excluded.status, role = excluded.role, joined_at = excluded.joined_at, updated_at = excluded.updated_at,
                    banned_at = NULL, ban_reason = NULL, ban_expires_at = NULL
                WHERE community_members.status <> excluded.status
                  AND (community_members.banned_at IS NULL
                       OR (community_members.ban_expires_at IS NOT NULL AND community_members.ban_expires_at <= excluded.joined_at))
            RETURNING id AS "Value"
            """).ToListAsync(ct);
        var row = (await db.FindMemberAsync(community.Id, hubUserId, ct))!;
        var member = MemberResponse.From(row.Member, row.Username, now);
        if (changed.Count == 0)
            return (MemberRules.IsBanned(row.Member, now) ? JoinOutcome.Banned : JoinOutcome.AlreadyActive, member);

        await AdjustMemberCountAsync(community.Id, +1, ct);
        var welcome = effective.WelcomeEnabled ? effective.RenderWelcome(community.DisplayName ?? community.Name, displayName ?? row.Username) : null;
        journal.Record(caller, EventTypes.MemberJoined, community.Id, "member", hubUserId.ToString(), null, member,
            new { member, platform, welcome_message = welcome });
        await db.SaveChangesAsync(ct);
        if (tx is null) return (JoinOutcome.Joined, member); // the caller's transaction commits, counts and invalidates
        await tx.CommitAsync(ct);
        await AfterJoinAsync(community.Id, hubUserId);
        return (JoinOutcome.Joined, member);
    }

    /// <summary>What follows a committed join: the metric and the routing cache.</summary>
    public async Task AfterJoinAsync(long communityId, long hubUserId)
    {
        ServiceMetrics.Joins.Inc();
        await routes.MemberChangedAsync(communityId, hubUserId);
    }

    /// <summary>
    /// Ends an active membership as <c>left</c> (the user's own choice) or <c>removed</c> (a kick). The owner cannot
    /// leave. When <paramref name="expectedRole"/> is given the change applies only if the member still has that role,
    /// so a rank check made just before cannot be raced by a promotion.
    /// </summary>
    public async Task<(EndOutcome Outcome, MemberResponse? Member)> EndAsync(Caller caller, long communityId, long hubUserId,
        string newStatus, string? expectedRole, string? reason, CancellationToken ct)
    {
        var now = clock.UtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var ended = await db.Members
            .Where(m => m.CommunityId == communityId && m.HubUserId == hubUserId && m.Status == MemberStatus.Active && m.Role != Roles.Owner
                && (expectedRole == null || m.Role == expectedRole))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, newStatus).SetProperty(m => m.UpdatedAt, now), ct);
        var row = await db.FindMemberAsync(communityId, hubUserId, ct);
        if (row is null) return (EndOutcome.NotFound, null);
        var member = MemberResponse.From(row.Member, row.Username, now);
        if (ended == 0)
            return (row.Member.Role == Roles.Owner && row.Member.Status == MemberStatus.Active ? EndOutcome.IsOwner : EndOutcome.NotActive, member);

        await AdjustMemberCountAsync(communityId, -1, ct);
        var type = newStatus == MemberStatus.Left ? EventTypes.MemberLeft : EventTypes.MemberRemoved;
        journal.Record(caller, type, communityId, "member", hubUserId.ToString(), new { status = MemberStatus.Active }, member,
            new { member, reason });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        await routes.MemberChangedAsync(communityId, hubUserId);
        return (EndOutcome.Ended, member);
    }

    /// <summary>
    /// Bans the hub user from the community, so every linked platform account (including ones linked later) is
    /// refused. Without a duration the membership ends (<c>banned</c>); with one it is a timeout: the membership
    /// keeps its status and the ban lifts itself when it expires. A user who was never a member gets a banned row.
    /// </summary>
    public async Task<MemberResponse> BanAsync(Caller caller, Communities.Community community, long hubUserId, string reason,
        TimeSpan? duration, CancellationToken ct, bool automatic = false)
    {
        var now = clock.UtcNow();
        DateTime? expires = duration is null ? null : now + duration.Value;
        var ownTransaction = db.Database.CurrentTransaction is null;
        await using var tx = ownTransaction ? await db.Database.BeginTransactionAsync(ct) : null;
        var before = await db.FindMemberAsync(community.Id, hubUserId, ct);
        if (before is null)
        {
            var starting = (await settings.GetAsync(community.Id, ct)).StartingScore;
            db.Members.Add(new Member
            {
                CommunityId = community.Id, HubUserId = hubUserId, Role = Roles.Member, Reputation = starting, Status = MemberStatus.Banned,
                JoinedAt = now, UpdatedAt = now, BannedAt = now, BanReason = reason, BanExpiresAt = expires,
            });
            await db.SaveChangesAsync(ct);
        }
        else
        {
            var members = db.Members.Where(m => m.CommunityId == community.Id && m.HubUserId == hubUserId);
            void RecordBan(UpdateSettersBuilder<Member> s) => s.SetProperty(m => m.BannedAt, now).SetProperty(m => m.BanReason, reason)
                .SetProperty(m => m.BanExpiresAt, expires).SetProperty(m => m.UpdatedAt, now);
            void EndAsBanned(UpdateSettersBuilder<Member> s) => RecordBan(s.SetProperty(m => m.Status, MemberStatus.Banned));
            if (duration is not null) await members.ExecuteUpdateAsync(RecordBan, ct); // a timeout keeps the status
            // Ending an active membership must count once even if two bans race: only the statement that actually
            // moves the row out of 'active' decrements member_count.
            else if (await members.Where(m => m.Status == MemberStatus.Active).ExecuteUpdateAsync(EndAsBanned, ct) == 1)
                await AdjustMemberCountAsync(community.Id, -1, ct);
            else await members.ExecuteUpdateAsync(EndAsBanned, ct);
        }

        var row = (await db.FindMemberAsync(community.Id, hubUserId, ct))!;
        var member = MemberResponse.From(row.Member, row.Username, now);
        var sync = await db.PlatformsToSyncAsync(community.Id, hubUserId, ct);
        journal.Record(caller, EventTypes.MemberBanned, community.Id, "member", hubUserId.ToString(),
            before is null ? null : MemberResponse.From(before.Member, before.Username, now), member,
            new { member, reason, expires_at = expires, timeout = duration is not null, automatic, platforms = sync });
        await db.SaveChangesAsync(ct);
        if (tx is not null) await tx.CommitAsync(ct);
        if (ownTransaction) await routes.MemberChangedAsync(community.Id, hubUserId);
        return member;
    }

    /// <summary>Lifts a ban or timeout. A banned membership becomes <c>removed</c>: the user may join again. Null when no ban held.</summary>
    public async Task<MemberResponse?> UnbanAsync(Caller caller, long communityId, long hubUserId, CancellationToken ct)
    {
        var now = clock.UtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var before = await db.FindMemberAsync(communityId, hubUserId, ct);
        if (before is null || !MemberRules.IsBanned(before.Member, now)) return null;
        await db.Members.Where(m => m.CommunityId == communityId && m.HubUserId == hubUserId)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.BannedAt, (DateTime?)null).SetProperty(m => m.BanReason, (string?)null)
                .SetProperty(m => m.BanExpiresAt, (DateTime?)null).SetProperty(m => m.UpdatedAt, now)
                .SetProperty(m => m.Status, m => m.Status == MemberStatus.Banned ? MemberStatus.Removed : m.Status), ct);
        var row = (await db.FindMemberAsync(communityId, hubUserId, ct))!;
        var member = MemberResponse.From(row.Member, row.Username, now);
        var sync = await db.PlatformsToSyncAsync(communityId, hubUserId, ct);
        journal.Record(caller, EventTypes.MemberUnbanned, communityId, "member", hubUserId.ToString(),
            MemberResponse.From(before.Member, before.Username, now), member, new { member, platforms = sync });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        await routes.MemberChangedAsync(communityId, hubUserId);
        return member;
    }

    private Task AdjustMemberCountAsync(long communityId, int by, CancellationToken ct) =>
        db.Communities.Where(c => c.Id == communityId).ExecuteUpdateAsync(s => s.SetProperty(c => c.MemberCount, c => c.MemberCount + by), ct);
}
