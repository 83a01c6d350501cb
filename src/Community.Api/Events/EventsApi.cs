using Community.Api.Auth;
using Community.Api.Data;
using Community.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Events;

/// <summary>The outbox as an ordered feed that consumers page through with <c>?after=</c>.</summary>
public static class EventsApi
{
    public static RouteGroupBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/events").WithTags("Events");
        group.MapGet("/", Feed);
        return group;
    }

    /// <summary>
    /// Events with an id above <c>after</c>, in id order. Paging by id never misses an event, even while writers
    /// commit concurrently, because ids are commit-ordered: on PostgreSQL the BEFORE INSERT trigger
    /// <c>events_commit_ordered_id</c> (Initial migration) hands out an id only under a transaction-scoped advisory
    /// lock held until commit, so no lower id can become visible after a higher one; SQLite has a single writer,
    /// so its ids are commit-ordered by construction. A reader that has seen id N has seen every committed id below N.
    /// </summary>
    private static async Task<Results<Ok<Envelope<IReadOnlyList<EventResponse>, EventFeedMeta>>, ProblemHttpResult>> Feed(
        Caller caller, CommunityAccess access, CommunityDb db, CancellationToken ct,
        long? after = null, string? types = null, [FromQuery(Name = "community_id")] long? communityId = null, int? limit = null)
    {
        if (caller.IsService && access.Check(caller, Permissions.ReadEvents).Problem is { } missingScope) return missingScope;

        var errors = new FieldErrors();
        if (after is < 0) errors.Add("after", "Must be 0 or a previous meta.next_after.");
        var typeFilter = ParseTypes(types, errors);
        var pageSize = Paging.ValidLimit(limit, errors);
        if (communityId is null && !caller.IsService && !caller.IsSuperAdmin)
            errors.Add("community_id", "Is required: a user reads the feed of a community it administers.");
        if (errors.HasProblem(out var invalid)) return invalid;

        if (communityId is { } id && (await access.CheckAsync(caller, id, Permissions.ReadEvents, ct)).Problem is { } denied) return denied;

        var position = after ?? 0;
        var query = db.Events.AsNoTracking().Where(e => e.Id > position);
        if (communityId is not null) query = query.Where(e => e.CommunityId == communityId);
        if (typeFilter.Length > 0) query = query.Where(e => typeFilter.Contains(e.Type));
        var rows = await query.OrderBy(e => e.Id).Take(pageSize!.Value + 1).ToListAsync(ct);

        var hasMore = rows.Count > pageSize.Value;
        if (hasMore) rows.RemoveAt(rows.Count - 1);
        var meta = new EventFeedMeta(rows.Count > 0 ? rows[^1].Id : position, pageSize.Value, hasMore);
        return TypedResults.Ok(Envelope.Of<IReadOnlyList<EventResponse>, EventFeedMeta>(rows.Select(EventResponse.From).ToList(), meta));
    }

    /// <summary>A comma-separated list of known event types; unknown ones are refused so a typo does not silently filter everything out.</summary>
    internal static string[] ParseTypes(string? types, FieldErrors errors)
    {
        var list = (types ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToArray();
        var unknown = list.Where(t => !EventTypes.All.Contains(t)).ToList();
        if (unknown.Count > 0)
            errors.Add("types", $"Unknown event type{(unknown.Count == 1 ? "" : "s")} {string.Join(", ", unknown)}; known types are {string.Join(", ", EventTypes.All)}.");
        return list;
    }
}
