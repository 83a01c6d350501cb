using Community.Api.ApiDescription;
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
        // One community's feed is its admins'; the whole feed (no community_id) is for services and super admins.
        group.MapGet("/", Feed).Requires(new RequiredPermission
        {
            Choose = (_, _, target) => target.CommunityId is null ? Permissions.ReadAllEvents : Permissions.ReadEvents,
            OneOf = [Permissions.ReadEvents, Permissions.ReadAllEvents],
            Community = context => context.QueryCommunityOfUsers("Is required: a user reads the feed of a community it administers."),
        })
            .WithName("listEvents").WithSummary("The event feed")
            .WithDescription("""
                Events with an id above `after`, in id (commit) order. Page with `after` = the previous `meta.next_after`: a
                consumer that does so never misses an event, even while writers commit concurrently; `meta.has_more` says
                whether to ask again right away. `types` (comma-separated) and `community_id` filter. A community's admins
                read its feed (`community_id` required); the whole feed is for services and super admins.
                """)
            .WithProblems(ErrorCodes.ValidationFailed);
        return group;
    }

    /// <summary>
    /// Events with an id above <c>after</c>, in id order, up to the <see cref="FeedHorizon"/>: paging by id never misses
    /// an event, even while writers commit concurrently, because nothing can ever commit below the horizon. A reader
    /// that has seen id N has seen every event that will ever exist below N.
    /// </summary>
    private static async Task<Results<Ok<Envelope<IReadOnlyList<EventResponse>, EventFeedMeta>>, ProblemHttpResult>> Feed(
        Access access, CommunityDb db, CancellationToken ct,
        long? after = null, string? types = null, [FromQuery(Name = "community_id")] long? communityId = null, int? limit = null)
    {
        var errors = new FieldErrors();
        if (after is < 0) errors.Add("after", "Must be 0 or a previous meta.next_after.");
        var typeFilter = ParseTypes(types, errors);
        var pageSize = Paging.ValidLimit(limit, errors);
        if (errors.HasProblem(out var invalid)) return invalid;

        var position = after ?? 0;
        var horizon = await FeedHorizon.ReadAsync(db, TimeSpan.FromMilliseconds(250), ct);
        var query = db.Events.AsNoTracking().Where(e => e.Id > position && e.Id < horizon.Below);
        if (communityId is not null) query = query.Where(e => e.CommunityId == communityId);
        if (typeFilter.Length > 0) query = query.Where(e => typeFilter.Contains(e.Type));
        var rows = await query.OrderBy(e => e.Id).TakePage(pageSize!.Value).ToListAsync(ct);

        var hasMore = rows.Count > pageSize.Value;
        if (hasMore) rows.RemoveAt(rows.Count - 1);
        // Events held back behind a transaction still in progress are "more": the consumer should ask again soon.
        var meta = new EventFeedMeta(rows.Count > 0 ? rows[^1].Id : position, pageSize.Value, hasMore || horizon.HoldsBack);
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
