using Community.Api.Auth;
using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Hosting;
using Community.Api.Http;
using Community.Api.Settings;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Members;

/// <summary>
/// The community's <c>join_mode</c> for users joining themselves: <c>open</c> joins at once, <c>approval</c> files a
/// request an admin decides, <c>invite</c> refuses (an invite or an admin admits members).
/// </summary>
public sealed class JoinRequests(CommunityDb db, SettingsStore settings, Journal journal, TimeProvider clock)
{
    /// <summary>
    /// Null when the user may join now; otherwise the response to give instead (202 with the filed request, or 403).
    /// Runs inside the join's transaction after the community is locked, so it decides on the mode as it is now.
    /// </summary>
    public async Task<IResult?> SelfJoinGateAsync(Caller caller, Communities.Community community, CancellationToken ct)
    {
        var userId = caller.HubUserId!.Value;
        var mode = new EffectiveSettings(await settings.ReadAsync(community.Id, ct)).JoinMode;
        if (mode == "open") return null;
        var existing = await db.Members.AsNoTracking().FirstOrDefaultAsync(m => m.CommunityId == community.Id && m.HubUserId == userId, ct);
        var now = clock.UtcNow();
        // Members and banned users get their usual answer (200 / 403 member_banned) whatever the mode.
        if (existing is not null && (existing.Status == MemberStatus.Active || MemberRules.IsBanned(existing, now))) return null;
        if (mode == "invite")
            return Problems.Forbidden(ErrorCodes.Forbidden,
                "This community is invitation only: accept an invite with POST /api/v1/invites/{code}/accept, or ask an admin to add you.");

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
        return TypedResults.Accepted($"/api/v1/communities/{community.Id}/join-requests/{pending.Id}", Envelope.Of(JoinRequestResponse.From(pending)));
    }
}
