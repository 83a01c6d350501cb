using Community.Api.Members;
using Community.Api.Auth;
using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Hosting;
using Community.Api.Http;
using Community.Api.Settings;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.JoinRequests;

/// <summary>
/// The community's <c>join_mode</c> for users joining themselves: <c>open</c> joins at once, <c>approval</c> files a
/// request an admin decides, <c>invite</c> refuses (an invite or an admin admits members).
/// </summary>
public sealed class SelfJoinGate(CommunityDb db, SettingsStore settings, Journal journal, TimeProvider clock)
{
    /// <summary>
    /// Whether the user may join now, or must wait for an admin (a request is filed, or the pending one returned), or may
    /// not join on its own at all. Runs inside the join's transaction after the community is locked, so it decides on
    /// the mode as it is now.
    /// </summary>
    public async Task<SelfJoin> DecideAsync(Caller caller, Communities.Community community, CancellationToken ct)
    {
        var userId = caller.HubUserId!.Value;
        var mode = new EffectiveSettings(await settings.ReadAsync(community.Id, ct)).JoinMode;
        if (mode == "open") return SelfJoin.Now;
        var existing = await db.Members.AsNoTracking().FirstOrDefaultAsync(m => m.CommunityId == community.Id && m.HubUserId == userId, ct);
        var now = clock.UtcNow();
        // Members and banned users get their usual answer (200 / 403 member_banned) whatever the mode.
        if (existing is not null && (existing.Status == MemberStatus.Active || MemberRules.IsBanned(existing, now))) return SelfJoin.Now;
        if (mode == "invite") return SelfJoin.InviteOnly;

        var pending = await db.JoinRequests.AsNoTracking()
            .FirstOrDefaultAsync(r => r.CommunityId == community.Id && r.HubUserId == userId && r.Status == JoinRequestStatus.Pending, ct);
        if (pending is null)
        {
            // Saved before it is journaled, so the event and the audit entry carry the request's id.
            pending = new JoinRequest { CommunityId = community.Id, HubUserId = userId, CreatedAt = now };
            db.JoinRequests.Add(pending);
            await db.SaveChangesAsync(ct);
            var filed = JoinRequestResponse.From(pending);
            journal.Record(caller, EventTypes.JoinRequested, community.Id, "join_request", pending.Id.ToString(), null, filed, new { request = filed });
            await db.SaveChangesAsync(ct);
        }
        return new SelfJoin(JoinRequestResponse.From(pending));
    }
}

/// <summary>What <c>join_mode</c> says of a user joining itself: join now, wait for <see cref="Request"/>, or not on its own.</summary>
public sealed record SelfJoin(JoinRequestResponse? Request, bool Refused = false)
{
    public static readonly SelfJoin Now = new(Request: null);
    public static readonly SelfJoin InviteOnly = new(Request: null, Refused: true);
}
