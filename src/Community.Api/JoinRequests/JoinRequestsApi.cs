using Community.Api.ApiDescription;
using Community.Api.Communities;
using Community.Api.Members;
using Community.Api.Identities;
using Community.Api.Auth;
using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Hosting;
using Community.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.JoinRequests;

/// <summary>Admins decide the join requests of communities whose <c>join_mode</c> is <c>approval</c>.</summary>
public static class JoinRequestsApi
{
    public static RouteGroupBuilder MapJoinRequestsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/communities/{id:long}/join-requests").WithTags("Members");
        group.MapGet("/", List).RequiresInCommunity(Permissions.ManageMembers)
            .WithName("listJoinRequests").WithSummary("List join requests")
            .WithDescription("Join requests of one `status` (default `pending`), oldest first, keyset-paged.")
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.InvalidCursor);
        group.MapPost("/{requestId:long}/approve", Approve).RequiresInCommunity(Permissions.ManageMembers)
            .WithName("approveJoinRequest").WithSummary("Approve a join request")
            .WithDescription("Decides a pending request and joins its user, in one transaction; two admins cannot both decide it. A ban still refuses.")
            .WithProblems(ErrorCodes.NotFound, ErrorCodes.CommunityInactive, ErrorCodes.MemberBanned, ErrorCodes.Conflict)
            .Emits(EventTypes.MemberJoined);
        group.MapPost("/{requestId:long}/reject", Reject).RequiresInCommunity(Permissions.ManageMembers)
            .WithName("rejectJoinRequest").WithSummary("Reject a join request")
            .WithDescription("Decides a pending request as rejected; the user may ask again.")
            .WithProblems(ErrorCodes.NotFound)
            .Emits(EventTypes.JoinRejected);
        return group;
    }

    private static async Task<Results<Ok<Envelope<IReadOnlyList<JoinRequestResponse>>>, ProblemHttpResult>> List(
        long id, Access access, CommunityDb db, Cursors cursors, CancellationToken ct,
        string? status = null, int? limit = null, string? cursor = null)
    {
        var errors = new FieldErrors();
        errors.OneOf("status", status, JoinRequestStatus.All);
        var pageSize = Paging.ValidLimit(limit, errors);
        var after = cursors.Decode(cursor, $"join-requests/{id}", errors, CursorKey.Id);
        if (errors.HasProblem(out var invalid)) return invalid;
        var wanted = status ?? JoinRequestStatus.Pending;
        var query = db.JoinRequests.AsNoTracking().Where(r => r.CommunityId == id && r.Status == wanted);
        if (after is [var lastId]) query = query.Where(r => r.Id > lastId);
        var rows = await query.OrderBy(r => r.Id).TakePage(pageSize!.Value).ToListAsync(ct);
        return TypedResults.Ok(Envelope.Page(Paging.ToPage(rows, pageSize.Value, r => cursors.Encode($"join-requests/{id}", r.Id), JoinRequestResponse.From)));
    }

    /// <summary>Approves a pending request: the request is decided and the user joins, in one transaction.</summary>
    private static async Task<Results<Ok<Envelope<MemberResponse>>, ProblemHttpResult>> Approve(long id, long requestId,
        Access access, CommunityDb db, Memberships memberships, TimeProvider clock, CancellationToken ct)
    {
        if (!access.Community!.IsActive) return CommunityProblems.Inactive(id);
        var filed = await db.JoinRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == requestId && r.CommunityId == id, ct);
        if (filed is null) return NotPending(id, requestId);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // A merge moves the user's requests to the user it was merged into: the lock follows it the same way.
        if (await db.LockActiveUserAsync(filed.HubUserId, followMerges: true, ct) is not { } hubUserId) return NotPending(id, requestId);
        if (await access.ConfirmAsync(ct) is { } refused) return refused;
        if (!access.Community!.IsActive) return CommunityProblems.Inactive(id);
        if (await DecideAsync(db, id, requestId, JoinRequestStatus.Approved, access.Caller, clock, ct) is not { } request) return NotPending(id, requestId);
        if (request.HubUserId != hubUserId)
            return Problems.Conflict(ErrorCodes.Conflict, $"Join request {requestId} changed hands while it was approved; read it again and retry.");
        var (outcome, member) = await memberships.JoinAsync(access.Caller, access.Community, hubUserId, Roles.Member, null, null, ct);
        if (outcome == JoinOutcome.Banned) return MemberProblems.Banned(id, hubUserId);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(Envelope.Of(member));
    }

    private static async Task<Results<Ok<Envelope<JoinRequestResponse>>, ProblemHttpResult>> Reject(long id, long requestId,
        Access access, CommunityDb db, Journal journal, TimeProvider clock, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await access.ConfirmAsync(ct) is { } refused) return refused;
        if (await DecideAsync(db, id, requestId, JoinRequestStatus.Rejected, access.Caller, clock, ct) is not { } request) return NotPending(id, requestId);
        var response = JoinRequestResponse.From(request);
        journal.Record(access.Caller, EventTypes.JoinRejected, id, "join_request", requestId.ToString(), null, response, new { request = response });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(Envelope.Of(response));
    }

    /// <summary>Moves a pending request to its decision with one conditional update, so two admins cannot both decide it.</summary>
    private static async Task<JoinRequest?> DecideAsync(CommunityDb db, long id, long requestId, string decision, Caller caller, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.UtcNow();
        var decided = await db.JoinRequests.Where(r => r.Id == requestId && r.CommunityId == id && r.Status == JoinRequestStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, decision).SetProperty(r => r.DecidedAt, now).SetProperty(r => r.DecidedBy, caller.ActorId), ct);
        return decided == 0 ? null : await db.JoinRequests.AsNoTracking().FirstAsync(r => r.Id == requestId, ct);
    }

    private static ProblemHttpResult NotPending(long id, long requestId) =>
        Problems.NotFound(ErrorCodes.NotFound, $"Community {id} has no pending join request {requestId}.");
}
