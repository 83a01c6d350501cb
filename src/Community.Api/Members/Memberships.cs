using Community.Api.Auth;
using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Hosting;
using Community.Api.Settings;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;

namespace Community.Api.Members;

public enum JoinOutcome { Joined, AlreadyActive, Banned }

public enum EndOutcome { Ended, NotActive, NotFound }

/// <summary>
/// Every membership state change, written once for all the endpoints that cause it (connector joins, admin adds,
/// self-joins, invites, leaves, kicks, bans). Each runs inside the caller's transaction, after the caller has locked
/// the hub user it names and the community (see <see cref="Access.ConfirmAsync"/>), so what the caller
/// checked still holds; the change, <c>member_count</c>, the outbox event and the audit entry commit together, and
/// what follows the commit (cache, metrics, webhooks) is driven by the event.
/// </summary>
public sealed class Memberships(CommunityDb db, Journal journal, SettingsStore settings, TimeProvider clock)
{
    /// <summary>
    /// Makes the user an active member: inserts the membership, or reactivates a left/removed one (reputation kept),
    /// unless a ban holds. One INSERT … ON CONFLICT DO UPDATE … WHERE decides it: only a call that sees a row come back
    /// counts and announces the join. <paramref name="eventData"/> adds fields to <c>member.joined</c>.
    /// </summary>
    public async Task<(JoinOutcome Outcome, MemberResponse Member)> JoinAsync(Caller caller, Communities.Community community, long hubUserId,
        string role, string? platform, string? displayName, CancellationToken ct, IReadOnlyDictionary<string, object?>? eventData = null)
    {
        RequireTransaction();
        var now = clock.UtcNow();
        var effective = await settings.GetAsync(community.Id, ct);
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
        RecordJoined(caller, community.Id, community.DisplayName ?? community.Name, member, effective, platform, displayName, eventData);
        await db.SaveChangesAsync(ct);
        return (JoinOutcome.Joined, member);
    }

    /// <summary>
    /// Makes a hub user created in this very transaction a member. No other transaction can see that user yet, so there
    /// is no standing to decide and nothing to conflict with, and the community's row lock (the <c>member_count</c>
    /// update, which also confirms the community is still active) can come last: in a raid every new viewer's join
    /// queues on it. On PostgreSQL it comes at COMMIT: the insert asks the deferred trigger of migration
    /// <c>MemberCountedOnCommit</c> to count it then, so the lock is held for the commit alone instead of from a
    /// statement until the client's COMMIT arrives a round trip later; a community deactivated meanwhile fails the
    /// caller's commit (<see cref="DbErrors.IsCommunityInactiveAtCommit"/>). On SQLite (one writer at a time anyway) the
    /// count is a statement here, and null means the community was deactivated meanwhile; the caller rolls back.
    /// </summary>
    public async Task<MemberResponse?> JoinCreatedUserAsync(Caller caller, long communityId, string communityName, long hubUserId, string username,
        string? platform, string? displayName, CancellationToken ct)
    {
        RequireTransaction();
        var now = clock.UtcNow();
        var effective = await settings.GetAsync(communityId, ct);
        var row = new Member
        {
            CommunityId = communityId, HubUserId = hubUserId, Role = Roles.Member, Reputation = effective.StartingScore,
            Status = MemberStatus.Active, JoinedAt = now, UpdatedAt = now,
        };
        var member = MemberResponse.From(row, username, now);
        RecordJoined(caller, communityId, communityName, member, effective, platform, displayName);
        await db.SaveChangesAsync(ct);

        if (db.IsPostgres)
        {
            await db.Database.ExecuteSqlAsync($"""
                WITH count_on_commit AS (SELECT set_config('community.count_on_commit', 'on', true))
                INSERT INTO community_members (community_id, hub_user_id, role, reputation, status, joined_at, updated_at)
                SELECT {communityId}, {hubUserId}, {row.Role}, {row.Reputation}, {row.Status}, {now}, {now} FROM count_on_commit
                """, ct);
            return member;
        }
        if (await db.Communities.Where(c => c.Id == communityId && c.IsActive)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.MemberCount, c => c.MemberCount + 1), ct) == 0) return null;
        db.Members.Add(row);
        await db.SaveChangesAsync(ct);
        return member;
    }

    /// <summary>
    /// Adds <c>member.joined</c> and its audit entry to the unit of work: the member, the platform, the community's welcome
    /// message (when it has one on, naming <paramref name="displayName"/> or else the hub username) and
    /// <paramref name="eventData"/>'s fields. One shape for every way of joining; the caller saves.
    /// </summary>
    private void RecordJoined(Caller caller, long communityId, string communityName, MemberResponse member, EffectiveSettings effective,
        string? platform, string? displayName, IReadOnlyDictionary<string, object?>? eventData = null)
    {
        var welcome = effective.WelcomeEnabled ? effective.RenderWelcome(communityName, displayName ?? member.Username) : null;
        var data = new Dictionary<string, object?> { ["member"] = member, ["platform"] = platform, ["welcome_message"] = welcome };
        foreach (var (key, value) in eventData ?? new Dictionary<string, object?>()) data[key] = value;
        journal.Record(caller, EventTypes.MemberJoined, communityId, "member", member.HubUserId.ToString(), null, member, data);
    }

    /// <summary>Ends an active membership as <c>left</c> (the user's own choice) or <c>removed</c> (a kick). The caller keeps the owner out.</summary>
    public async Task<(EndOutcome Outcome, MemberResponse? Member)> EndAsync(Caller caller, long communityId, long hubUserId,
        string newStatus, string? reason, CancellationToken ct)
    {
        RequireTransaction();
        var now = clock.UtcNow();
        var ended = await db.Members
            .Where(m => m.CommunityId == communityId && m.HubUserId == hubUserId && m.Status == MemberStatus.Active && m.Role != Roles.Owner)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, newStatus).SetProperty(m => m.UpdatedAt, now), ct);
        var row = await db.FindMemberAsync(communityId, hubUserId, ct);
        if (row is null) return (EndOutcome.NotFound, null);
        var member = MemberResponse.From(row.Member, row.Username, now);
        if (ended == 0) return (EndOutcome.NotActive, member);

        await AdjustMemberCountAsync(communityId, -1, ct);
        var type = newStatus == MemberStatus.Left ? EventTypes.MemberLeft : EventTypes.MemberRemoved;
        journal.Record(caller, type, communityId, "member", hubUserId.ToString(), new { status = MemberStatus.Active }, member,
            new { member, reason });
        await db.SaveChangesAsync(ct);
        return (EndOutcome.Ended, member);
    }

    /// <summary>
    /// Bans the hub user from the community, so every linked platform account (including ones linked later) is
    /// refused. Without a duration the membership ends (<c>banned</c>); with one it is a timeout: the membership
    /// keeps its status and the ban lifts itself when it expires. A user who was never a member gets a banned row.
    /// </summary>
    public async Task<MemberResponse> BanAsync(Caller caller, long communityId, long hubUserId, string reason,
        TimeSpan? duration, CancellationToken ct, bool automatic = false)
    {
        RequireTransaction();
        var now = clock.UtcNow();
        DateTime? expires = duration is null ? null : now + duration.Value;
        var before = await db.FindMemberAsync(communityId, hubUserId, ct);
        if (before is null)
        {
            var starting = (await settings.GetAsync(communityId, ct)).StartingScore;
            db.Members.Add(new Member
            {
                CommunityId = communityId, HubUserId = hubUserId, Role = Roles.Member, Reputation = starting, Status = MemberStatus.Banned,
                JoinedAt = now, UpdatedAt = now, BannedAt = now, BanReason = reason, BanExpiresAt = expires,
            });
            await db.SaveChangesAsync(ct);
        }
        else
        {
            var members = db.Members.Where(m => m.CommunityId == communityId && m.HubUserId == hubUserId);
            void RecordBan(UpdateSettersBuilder<Member> s) => s.SetProperty(m => m.BannedAt, now).SetProperty(m => m.BanReason, reason)
                .SetProperty(m => m.BanExpiresAt, expires).SetProperty(m => m.UpdatedAt, now);
            if (duration is not null) await members.ExecuteUpdateAsync(RecordBan, ct); // a timeout keeps the status
            else
            {
                await members.ExecuteUpdateAsync(s => RecordBan(s.SetProperty(m => m.Status, MemberStatus.Banned)), ct);
                if (before.Member.Status == MemberStatus.Active) await AdjustMemberCountAsync(communityId, -1, ct);
            }
        }

        var row = (await db.FindMemberAsync(communityId, hubUserId, ct))!;
        var member = MemberResponse.From(row.Member, row.Username, now);
        var sync = await db.PlatformsToSyncAsync(communityId, hubUserId, ct);
        journal.Record(caller, EventTypes.MemberBanned, communityId, "member", hubUserId.ToString(),
            before is null ? null : MemberResponse.From(before.Member, before.Username, now), member,
            new { member, reason, expires_at = expires, timeout = duration is not null, automatic, platforms = sync });
        await db.SaveChangesAsync(ct);
        return member;
    }

    /// <summary>Lifts a ban or timeout. A banned membership becomes <c>removed</c>: the user may join again. Null when no ban held.</summary>
    public async Task<MemberResponse?> UnbanAsync(Caller caller, long communityId, long hubUserId, CancellationToken ct)
    {
        RequireTransaction();
        var now = clock.UtcNow();
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
        return member;
    }

    private Task AdjustMemberCountAsync(long communityId, int by, CancellationToken ct) =>
        db.Communities.Where(c => c.Id == communityId).ExecuteUpdateAsync(s => s.SetProperty(c => c.MemberCount, c => c.MemberCount + by), ct);

    private void RequireTransaction()
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Membership changes run inside the caller's transaction, after it locked the user and the community.");
    }
}
