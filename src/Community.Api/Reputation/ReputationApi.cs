using Community.Api.ApiDescription;
using Community.Api.Members;
using Community.Api.Communities;
using Community.Api.Auth;
using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Hosting;
using Community.Api.Http;
using Community.Api.Lookup;
using Community.Api.Settings;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Reputation;

/// <summary>Reputation: changed by services (the Reputation module), read by members.</summary>
public static class ReputationApi
{
    public static RouteGroupBuilder MapReputationApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/communities/{id:long}/members/{hubUserId:long}/reputation").WithTags("Members");
        group.MapPost("/", ChangeReputation).RequiresInCommunity(Permissions.AdjustReputation)
            .WithName("changeReputation").WithSummary("Change a member's reputation")
            .WithDescription("""
                Applies `delta` or sets `value` (exactly one), clamped to 300–850, with a `reason`; atomic, so concurrent
                changes are never lost, and recorded in the history. When `moderation.auto_ban_enabled` is on and the change
                takes the member from above `moderation.auto_ban_threshold` to at or below it, the member is banned once.
                """)
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.MemberNotFound)
            .Emits(EventTypes.MemberReputationChanged, EventTypes.MemberBanned)
            .WithRequestExample(new ReputationRequest(Delta: 25, Reason: "Helpful answer in chat"));
        group.MapGet("/history", ReputationHistory).RequiresInCommunity(Permissions.ReadMembers)
            .WithName("getReputationHistory").WithSummary("A member's reputation history")
            .WithDescription("Every change of the member's reputation, newest first, with old and new value, reason and actor; keyset-paged.")
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.InvalidCursor, ErrorCodes.MemberNotFound);
        return group;
    }

    /// <summary>
    /// Applies a delta (or sets a value), clamped to 300–850, with a history row and an event, in one transaction.
    /// The first statement is an UPDATE that returns the current score: it takes the row lock, so concurrent changes
    /// queue behind it and none is lost. When <c>moderation.auto_ban_enabled</c> and the change takes the member from
    /// above <c>moderation.auto_ban_threshold</c> to at or below it, the member is banned once (crossing, not every
    /// later change below it).
    /// </summary>
    private static async Task<Results<Ok<Envelope<ReputationResult>>, ProblemHttpResult>> ChangeReputation(
        long id, long hubUserId, ReputationRequest request, Access access, CommunityDb db, Journal journal,
        SettingsStore settings, Memberships memberships, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if ((request.Delta is null) == (request.Value is null)) errors.Add("delta", "Give exactly one of delta or value.");
        var reason = errors.Text("reason", request.Reason, 500, required: true);
        if (errors.HasProblem(out var invalid)) return invalid;

        var now = clock.UtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var effective = new EffectiveSettings(await settings.ReadAsync(id, ct));
        // A change that may end in a ban touches member_count, so it takes the community's lock first, as every such
        // write does; other changes lock only the member's row, so one community's updates do not queue behind each other.
        if (effective.AutoBanEnabled && await db.LockCommunityAsync(id, ct) is null) return Problems.CommunityNotFound(id);
        var current = await db.Database.SqlQuery<int>($"""
            UPDATE community_members SET updated_at = {now} WHERE community_id = {id} AND hub_user_id = {hubUserId}
            RETURNING reputation AS "Value"
            """).ToListAsync(ct);
        if (current.Count == 0) return Problems.MemberNotFound(id, hubUserId);
        var old = current[0];
        var updated = ReputationScale.Clamp(request.Delta is { } delta ? (long)old + delta : request.Value!.Value);
        await db.Members.Where(m => m.CommunityId == id && m.HubUserId == hubUserId)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Reputation, updated), ct);

        var change = new ReputationChange
        {
            CommunityId = id, HubUserId = hubUserId, OldValue = old, NewValue = updated, Delta = updated - old,
            Reason = reason!, Actor = access.Caller.ActorId, CreatedAt = now,
        };
        db.ReputationHistory.Add(change);
        await db.SaveChangesAsync(ct);
        var row = (await db.FindMemberAsync(id, hubUserId, ct))!;
        var member = MemberResponse.From(row.Member, row.Username, now);
        var changeResponse = ToResponse(change);
        journal.Record(access.Caller, EventTypes.MemberReputationChanged, id, "member", hubUserId.ToString(), new { reputation = old },
            new { reputation = updated }, new { member, change = changeResponse });

        var threshold = effective.AutoBanThreshold;
        if (effective.AutoBanEnabled && old > threshold && updated <= threshold && row.Member.Role != Roles.Owner
            && !MemberRules.IsBanned(row.Member, now))
            member = await memberships.BanAsync(access.Caller, id, hubUserId,
                $"Automatic ban: reputation fell to {updated}, at or below the community's threshold of {threshold}.", null, ct, automatic: true);

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(Envelope.Of(new ReputationResult(member, changeResponse)));
    }

    /// <summary>A member's reputation changes, newest first, keyset-paged.</summary>
    private static async Task<Results<Ok<Envelope<IReadOnlyList<ReputationChangeResponse>>>, ProblemHttpResult>> ReputationHistory(
        long id, long hubUserId, Access access, ReadOnlyDb reads, Cursors cursors, CancellationToken ct,
        int? limit = null, string? cursor = null)
    {
        var errors = new FieldErrors();
        var pageSize = Paging.ValidLimit(limit, errors);
        var after = cursors.Decode(cursor, $"reputation-history/{id}/{hubUserId}", errors, CursorKey.Id);
        if (errors.HasProblem(out var invalid)) return invalid;
        if (!await reads.Members.AnyAsync(m => m.CommunityId == id && m.HubUserId == hubUserId, ct)) return Problems.MemberNotFound(id, hubUserId);

        var query = reads.ReputationHistory.AsNoTracking().Where(h => h.CommunityId == id && h.HubUserId == hubUserId);
        if (after is [var lastId]) query = query.Where(h => h.Id < lastId);
        var rows = await query.OrderByDescending(h => h.Id).TakePage(pageSize!.Value).ToListAsync(ct);
        return TypedResults.Ok(Envelope.Page(Paging.ToPage(rows, pageSize.Value, h => cursors.Encode($"reputation-history/{id}/{hubUserId}", h.Id), ToResponse)));
    }

    private static ReputationChangeResponse ToResponse(ReputationChange c) =>
        new(c.Id, c.OldValue, c.NewValue, c.Delta, c.Reason, c.Actor, c.CreatedAt);
}
