using Community.Api.ApiDescription;
using Community.Api.Idempotency;
using Community.Api.Events;
using System.Globalization;
using Community.Api.Auth;
using Community.Api.Data;
using Community.Api.Hosting;
using Community.Api.Http;
using Community.Api.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Webhooks;

/// <summary>Webhook subscriptions. Their deliveries live in the other part of this class.</summary>
public static partial class WebhooksApi
{
    public static RouteGroupBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/webhooks").WithTags("Webhooks");
        group.MapPost("/", Create).WithMetadata(SecretResponseMetadata.Instance)
            .Requires(new RequiredPermission
            {
                Choose = (_, _, target) => PermissionFor(target),
                OneOf = Either,
                // A non-positive id names no community: answered as invalid, not decided as a global subscription.
                Community = context => ValueTask.FromResult(context.Argument<CreateWebhookRequest>().CommunityId switch
                {
                    null => CommunityTarget.None,
                    > 0 and var id => new CommunityTarget(id),
                    _ => new CommunityTarget(null, Problems.Validation("community_id", "Must be a positive id.")),
                }),
            })
            .WithName("createWebhook").WithSummary("Subscribe a URL to events")
            .WithDescription("""
                Subscribes `url` (absolute http or https, no credentials in it; loopback and private addresses only when
                configured as allowed) to the `event_types` listed (none: every type) of one community (`community_id`), or
                of every community when it is left out (services and super admins only). The signing secret (`whsec_…`) is
                generated here and shown in this answer only. Deliveries follow the Standard Webhooks spec: signed, at least
                once, in order per community, retried with backoff for at least 24 hours; a 410 answer disables the
                subscription. Events committed before the subscription are in the feed, not delivered.
                """)
            .WithProblems(ErrorCodes.ValidationFailed)
            .WithRequestExample(new CreateWebhookRequest("https://bot.example.org/hooks/community", [EventTypes.MemberJoined, EventTypes.MemberBanned], 1));
        group.MapGet("/", List).Requires(new RequiredPermission
        {
            Choose = (_, _, target) => PermissionFor(target),
            OneOf = Either,
            Community = context => context.QueryCommunityOfUsers("Is required: a user lists the webhooks of a community it administers."),
        })
            .WithName("listWebhooks").WithSummary("List webhook subscriptions")
            .WithDescription("""
                Subscriptions in id order, keyset-paged; `community_id` keeps one community's (required for users, who
                list those of communities they administer). Secrets are never shown again.
                """)
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.InvalidCursor);
        var one = InSubscriptionsCommunity();
        group.MapGet("/{id:long}", Get).Requires(one)
            .WithName("getWebhook").WithSummary("Read a webhook subscription")
            .WithDescription("The subscription without its secret, and whether it is still active (and if not, why). To anyone who may not manage it, it does not exist.");
        group.MapDelete("/{id:long}", Delete).Requires(one)
            .WithName("deleteWebhook").WithSummary("Delete a webhook subscription")
            .WithDescription("Deletes the subscription and its delivery history; nothing more is sent to it.");
        group.MapGet("/{id:long}/deliveries", Deliveries).Requires(one)
            .WithName("listWebhookDeliveries").WithSummary("A subscription's deliveries")
            .WithDescription("Deliveries newest first, optionally of one `status` (`pending`, `delivered`, `failed`), with attempts, the last answer's status and error; keyset-paged.")
            .WithProblems(ErrorCodes.ValidationFailed, ErrorCodes.InvalidCursor);
        group.MapPost("/{id:long}/deliveries/{deliveryId:long}/retry", Retry).Requires(one)
            .WithName("retryWebhookDelivery").WithSummary("Retry a delivery now")
            .WithDescription("""
                Makes a pending or failed delivery due now: a failed one gets one more attempt, a pending one keeps its
                place in the schedule. A delivered one, one whose attempt is in flight, or a disabled subscription is 409.
                """)
            .WithProblems(ErrorCodes.Conflict);
        return group;
    }

    /// <summary>
    /// A community's webhooks need <c>webhooks:write</c> or an admin of that community (reads too: they reveal where
    /// its events go). Webhooks of no one community see every community, so only services and super admins manage them.
    /// </summary>
    private static Permission PermissionFor(CommunityTarget target) =>
        target.CommunityId is null ? Permissions.ManageGlobalWebhooks : Permissions.ManageWebhooks;

    private static readonly Permission[] Either = [Permissions.ManageWebhooks, Permissions.ManageGlobalWebhooks];

    /// <summary>
    /// A subscription by id: its community decides. To anyone who may not manage it, it does not exist: ids are
    /// sequential, and a refusal would confirm the id, and for a private community's subscription the community too.
    /// </summary>
    private static RequiredPermission InSubscriptionsCommunity() => new()
    {
        Choose = (_, _, target) => PermissionFor(target),
        OneOf = Either,
        Community = async context =>
        {
            var id = PermissionDeclarations.RouteId(context);
            var db = context.HttpContext.RequestServices.GetRequiredService<CommunityDb>();
            var subscription = await db.WebhookSubscriptions.AsNoTracking().Where(s => s.Id == id)
                .Select(s => new { s.CommunityId }).FirstOrDefaultAsync(context.HttpContext.RequestAborted);
            return subscription is null ? new CommunityTarget(null, NotFound(id)) : new CommunityTarget(subscription.CommunityId);
        },
        RefuseAs = context => NotFound(PermissionDeclarations.RouteId(context)),
    };

    /// <summary>
    /// Subscribes a URL. The signing secret is generated here, sealed before it is stored, and shown in this
    /// response only. The subscription receives events committed after it; earlier ones are in the feed.
    /// </summary>
    private static async Task<Results<Created<Envelope<CreatedWebhookResponse>>, ProblemHttpResult>> Create(
        CreateWebhookRequest request, Access access, CommunityDb db, Journal journal,
        WebhookTargets targets, SecretProtector secrets, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var url = ValidUrl(request.Url, errors);
        var unknown = (request.EventTypes ?? []).Where(t => !EventTypes.All.Contains(t)).ToList();
        if (unknown.Count > 0) errors.Add("event_types", $"Unknown event type(s) {string.Join(", ", unknown)}; known types are {string.Join(", ", EventTypes.All)}.");
        if (errors.HasProblem(out var invalid)) return invalid;
        if (await targets.RefusalAsync(url!, ct) is { } refusal) return Problems.Validation("url", refusal);

        var secret = WebhookSigning.NewSecret();
        var subscription = new WebhookSubscription
        {
            Url = url!.OriginalString,
            EventTypesJson = ApiJson.Serialize(request.EventTypes?.Distinct().ToArray() ?? []),
            CommunityId = request.CommunityId,
            SecretCiphertext = secrets.Protect(secret),
            CreatedBy = access.Caller.Key,
            CreatedAt = clock.UtcNow(),
            // Everything below the horizon is "before" the subscription; what commits from now on is delivered.
            LastEventId = Math.Min(await db.Events.MaxAsync(e => (long?)e.Id, ct) ?? 0, (await FeedHorizon.ReadAsync(db, TimeSpan.Zero, ct)).Below - 1),
        };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await ConfirmAsync(access, ct) is { } refused) return refused;
        db.WebhookSubscriptions.Add(subscription);
        await db.SaveChangesAsync(ct);
        var response = WebhookResponse.From(subscription);
        journal.Audit(access.Caller, subscription.CommunityId, "webhook.created", "webhook", Id(subscription), null, response);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/api/v1/webhooks/{subscription.Id}", Envelope.Of(CreatedWebhookResponse.From(response, secret)));
    }

    private static async Task<Results<Ok<Envelope<IReadOnlyList<WebhookResponse>>>, ProblemHttpResult>> List(
        Access access, CommunityDb db, Cursors cursors, CancellationToken ct,
        [FromQuery(Name = "community_id")] long? communityId = null, int? limit = null, string? cursor = null)
    {
        var errors = new FieldErrors();
        var pageSize = Paging.ValidLimit(limit, errors);
        var after = cursors.Decode(cursor, "webhooks", errors, CursorKey.Id);
        if (errors.HasProblem(out var invalid)) return invalid;

        var query = db.WebhookSubscriptions.AsNoTracking();
        if (communityId is not null) query = query.Where(s => s.CommunityId == communityId);
        if (after is [var lastId]) query = query.Where(s => s.Id > lastId);
        var rows = await query.OrderBy(s => s.Id).TakePage(pageSize!.Value).ToListAsync(ct);
        return TypedResults.Ok(Envelope.Page(Paging.ToPage(rows, pageSize.Value, s => cursors.Encode("webhooks", s.Id), WebhookResponse.From)));
    }

    private static async Task<Results<Ok<Envelope<WebhookResponse>>, ProblemHttpResult>> Get(
        long id, Access access, CommunityDb db, CancellationToken ct)
    {
        var subscription = await db.WebhookSubscriptions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct);
        return subscription is null ? NotFound(id) : TypedResults.Ok(Envelope.Of(WebhookResponse.From(subscription)));
    }

    /// <summary>Deletes the subscription and its delivery history; nothing more is sent to it.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        long id, Access access, CommunityDb db, Journal journal, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await ConfirmAsync(access, ct) is not null) return NotFound(id);
        var subscription = await db.WebhookSubscriptions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct);
        if (subscription is null || await db.WebhookSubscriptions.Where(s => s.Id == id).ExecuteDeleteAsync(ct) == 0) return NotFound(id);
        journal.Audit(access.Caller, subscription.CommunityId, "webhook.deleted", "webhook", Id(subscription), WebhookResponse.From(subscription), null);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Inside a write's transaction: a community's admin must still be one once the community is locked (see
    /// <see cref="Access.ConfirmAsync"/>). Services and super admins keep their standing anyway, and global webhooks have no community.
    /// </summary>
    private static Task<ProblemHttpResult?> ConfirmAsync(Access access, CancellationToken ct) =>
        access.Community is null ? Task.FromResult<ProblemHttpResult?>(null) : access.ConfirmAsync(ct);

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
