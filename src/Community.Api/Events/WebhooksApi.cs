using System.Globalization;
using Community.Api.Auth;
using Community.Api.Data;
using Community.Api.Hosting;
using Community.Api.Http;
using Community.Api.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Events;

/// <summary>Webhook subscriptions. Their deliveries live in the other part of this class.</summary>
public static partial class WebhooksApi
{
    public static RouteGroupBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/webhooks").WithTags("Webhooks");
        group.MapPost("/", Create).WithMetadata(SecretResponseMetadata.Instance);
        group.MapGet("/", List);
        group.MapGet("/{id:long}", Get);
        group.MapDelete("/{id:long}", Delete);
        group.MapGet("/{id:long}/deliveries", Deliveries);
        group.MapPost("/{id:long}/deliveries/{deliveryId:long}/retry", Retry);
        return group;
    }

    /// <summary>
    /// Subscribes a URL. The signing secret is generated here, sealed before it is stored, and shown in this
    /// response only. The subscription receives events committed after it; earlier ones are in the feed.
    /// </summary>
    private static async Task<Results<Created<Envelope<CreatedWebhookResponse>>, ProblemHttpResult>> Create(
        CreateWebhookRequest request, Caller caller, CommunityAccess access, CommunityDb db, Journal journal,
        WebhookTargets targets, SecretProtector secrets, TimeProvider clock, CancellationToken ct)
    {
        if (caller.IsService && access.Check(caller, Permissions.ManageWebhooks).Problem is { } missingScope) return missingScope;

        var errors = new FieldErrors();
        var url = ValidUrl(request.Url, errors);
        var unknown = (request.EventTypes ?? []).Where(t => !EventTypes.All.Contains(t)).ToList();
        if (unknown.Count > 0) errors.Add("event_types", $"Unknown event type(s) {string.Join(", ", unknown)}; known types are {string.Join(", ", EventTypes.All)}.");
        if (request.CommunityId is <= 0) errors.Add("community_id", "Must be a positive id.");
        if (errors.HasProblem(out var invalid)) return invalid;
        if (await AuthorizeAsync(caller, request.CommunityId, access, ct) is { } denied) return denied;
        if (await targets.RefusalAsync(url!, ct) is { } refusal) return Problems.Validation("url", refusal);

        var secret = WebhookSigning.NewSecret();
        var subscription = new WebhookSubscription
        {
            Url = url!.OriginalString,
            EventTypesJson = ApiJson.Serialize(request.EventTypes?.Distinct().ToArray() ?? []),
            CommunityId = request.CommunityId,
            SecretCiphertext = secrets.Protect(secret),
            CreatedBy = caller.Key,
            CreatedAt = clock.UtcNow(),
            // Everything below the horizon is "before" the subscription; what commits from now on is delivered.
            LastEventId = Math.Min(await db.Events.MaxAsync(e => (long?)e.Id, ct) ?? 0, (await FeedHorizon.ReadAsync(db, TimeSpan.Zero, ct)).Below - 1),
        };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await RecheckAsync(caller, request.CommunityId, access, ct) is { } refused) return refused;
        db.WebhookSubscriptions.Add(subscription);
        await db.SaveChangesAsync(ct);
        var response = WebhookResponse.From(subscription);
        journal.Audit(caller, subscription.CommunityId, "webhook.created", "webhook", Id(subscription), null, response);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/api/v1/webhooks/{subscription.Id}", Envelope.Of(CreatedWebhookResponse.From(response, secret)));
    }

    private static async Task<Results<Ok<Envelope<IReadOnlyList<WebhookResponse>>>, ProblemHttpResult>> List(
        Caller caller, CommunityAccess access, CommunityDb db, Cursors cursors, CancellationToken ct,
        [FromQuery(Name = "community_id")] long? communityId = null, int? limit = null, string? cursor = null)
    {
        if (caller.IsService && access.Check(caller, Permissions.ManageWebhooks).Problem is { } missingScope) return missingScope;
        var errors = new FieldErrors();
        var pageSize = Paging.ValidLimit(limit, errors);
        var after = cursors.Decode(cursor, "webhooks", errors, CursorKey.Id);
        if (communityId is null && !caller.IsService && !caller.IsSuperAdmin)
            errors.Add("community_id", "Is required: a user lists the webhooks of a community it administers.");
        if (errors.HasProblem(out var invalid)) return invalid;
        if (communityId is not null && await AuthorizeAsync(caller, communityId, access, ct) is { } denied) return denied;

        var query = db.WebhookSubscriptions.AsNoTracking();
        if (communityId is not null) query = query.Where(s => s.CommunityId == communityId);
        if (after is [var lastId]) query = query.Where(s => s.Id > lastId);
        var rows = await query.OrderBy(s => s.Id).Take(pageSize!.Value + 1).ToListAsync(ct);
        return TypedResults.Ok(Envelope.Page(Paging.ToPage(rows, pageSize.Value, s => cursors.Encode("webhooks", s.Id), WebhookResponse.From)));
    }

    private static async Task<Results<Ok<Envelope<WebhookResponse>>, ProblemHttpResult>> Get(
        long id, Caller caller, CommunityAccess access, CommunityDb db, CancellationToken ct)
    {
        var (subscription, problem) = await FindAsync(id, caller, access, db, ct);
        if (problem is not null) return problem;
        return TypedResults.Ok(Envelope.Of(WebhookResponse.From(subscription!)));
    }

    /// <summary>Deletes the subscription and its delivery history; nothing more is sent to it.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        long id, Caller caller, CommunityAccess access, CommunityDb db, Journal journal, CancellationToken ct)
    {
        var (subscription, problem) = await FindAsync(id, caller, access, db, ct);
        if (problem is not null) return problem;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await RecheckAsync(caller, subscription!.CommunityId, access, ct) is not null) return NotFound(id);
        if (await db.WebhookSubscriptions.Where(s => s.Id == id).ExecuteDeleteAsync(ct) == 0) return NotFound(id);
        journal.Audit(caller, subscription!.CommunityId, "webhook.deleted", "webhook", Id(subscription), WebhookResponse.From(subscription), null);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Loads a subscription the caller may manage. To anyone else it does not exist: ids are sequential, and a
    /// refusal would confirm the id, and for a private community's subscription the community too. A service key
    /// without the scope is refused before any lookup, which tells nothing about the id.
    /// </summary>
    private static async Task<(WebhookSubscription?, ProblemHttpResult?)> FindAsync(
        long id, Caller caller, CommunityAccess access, CommunityDb db, CancellationToken ct)
    {
        if (caller.IsService && access.Check(caller, Permissions.ManageWebhooks).Problem is { } missingScope) return (null, missingScope);
        var subscription = await db.WebhookSubscriptions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct);
        if (subscription is null || await AuthorizeAsync(caller, subscription.CommunityId, access, ct) is not null) return (null, NotFound(id));
        return (subscription, null);
    }

    /// <summary>
    /// A community's webhooks need <c>webhooks:write</c> or an admin of that community (reads too: they reveal
    /// where its events go). Global subscriptions see every community, so only services and super admins manage them.
    /// </summary>
    private static async Task<ProblemHttpResult?> AuthorizeAsync(Caller caller, long? communityId, CommunityAccess access, CancellationToken ct)
    {
        if (communityId is { } id) return (await access.CheckAsync(caller, id, Permissions.ManageWebhooks, ct)).Problem;
        if (caller.IsService) return access.Check(caller, Permissions.ManageWebhooks).Problem;
        return caller.IsSuperAdmin ? null
            : Problems.Forbidden(ErrorCodes.Forbidden, "Webhooks without a community_id receive every community's events: only services and super admins manage them.");
    }

    /// <summary>
    /// Inside a write's transaction: a community's admin must still be one once the community is locked (see
    /// <see cref="CommunityAccess.LockAndCheckAsync"/>). Services and super admins keep their standing anyway.
    /// </summary>
    private static async Task<ProblemHttpResult?> RecheckAsync(Caller caller, long? communityId, CommunityAccess access, CancellationToken ct) =>
        communityId is { } id && !caller.IsService && !caller.IsSuperAdmin
            ? (await access.LockAndCheckAsync(caller, id, Permissions.ManageWebhooks, ct)).Problem
            : null;

    private static Uri? ValidUrl(string? value, FieldErrors errors)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text)) errors.Add("url", "Is required.");
        else if (text.Length > 2048) errors.Add("url", "Must be at most 2048 characters.");
        else if (text.Any(char.IsControl)) errors.Add("url", "Must not contain control characters."); // Uri ignores a trailing NUL; PostgreSQL does not
        else if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            errors.Add("url", "Must be an absolute http or https URL.");
        else if (uri.UserInfo.Length > 0)
            errors.Add("url", "Must not contain credentials: every read of the subscription shows its URL. Verify the signature instead.");
        else return uri;
        return null;
    }

    private static ProblemHttpResult NotFound(long id) => Problems.NotFound(ErrorCodes.NotFound, $"Webhook subscription {id} does not exist.");

    private static string Id(WebhookSubscription s) => s.Id.ToString(CultureInfo.InvariantCulture);
}
