using Community.Api.ApiDescription;
using System.Text.Json;
using Community.Api.Auth;
using Community.Api.Data;
using Community.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Audit;

public sealed record AuditActor(string Type, string Id);
public sealed record AuditTarget(string Type, string? Id);
public sealed record AuditEntryResponse(long Id, long? CommunityId, AuditActor Actor, string Action, AuditTarget Target,
    JsonElement? Before, JsonElement? After, DateTime OccurredAt);

/// <summary>Who did what to whom in a community, newest first: for its admins and services with <c>communities:read</c>.</summary>
public static class AuditLogApi
{
    public static RouteGroupBuilder MapAuditLogApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/communities/{id:long}/audit-log").WithTags("Audit");
        group.MapGet("/", List).RequiresInCommunity(Permissions.ReadAuditLog)
            .WithName("listAuditLog").WithSummary("A community's audit log")
            .WithDescription("""
                Every write in the community, newest first: the actor (a hub user id or a service key's name), the action,
                its target and the state before and after. `action` keeps one action (e.g. `member.banned`). Keyset-paged.
                """)
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.InvalidCursor);
        return group;
    }

    private static async Task<Results<Ok<Envelope<IReadOnlyList<AuditEntryResponse>>>, ProblemHttpResult>> List(
        long id, Access access, ReadOnlyDb reads, Cursors cursors, CancellationToken ct,
        string? action = null, int? limit = null, string? cursor = null)
    {
        var errors = new FieldErrors();
        errors.Text("action", action, 64);
        var pageSize = Paging.ValidLimit(limit, errors);
        var after = cursors.Decode(cursor, $"audit/{id}", errors, CursorKey.Id);
        if (errors.HasProblem(out var invalid)) return invalid;

        var query = reads.AuditLog.AsNoTracking().Where(a => a.CommunityId == id);
        if (action is not null) query = query.Where(a => a.Action == action);
        if (after is [var lastId]) query = query.Where(a => a.Id < lastId);
        var rows = await query.OrderByDescending(a => a.Id).TakePage(pageSize!.Value).ToListAsync(ct);
        return TypedResults.Ok(Envelope.Page(Paging.ToPage(rows, pageSize.Value, a => cursors.Encode($"audit/{id}", a.Id), a =>
            new AuditEntryResponse(a.Id, a.CommunityId, new AuditActor(a.ActorType, a.ActorId), a.Action, new AuditTarget(a.TargetType, a.TargetId),
                Parse(a.BeforeJson), Parse(a.AfterJson), a.OccurredAt))));
    }

    private static JsonElement? Parse(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.Clone();
}
