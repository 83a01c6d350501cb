using Community.Api.Http;

namespace Community.Api.ApiDescription;

/// <summary>One machine-readable error code: the status it travels with and what it tells the client.</summary>
public sealed record ProblemKind(string Code, int Status, string Meaning);

/// <summary>Every <c>code</c> a problem can carry (CONTRACT §2), as the API description explains them.</summary>
public static class ProblemCatalog
{
    public static readonly IReadOnlyList<ProblemKind> All =
    [
        new(ErrorCodes.ValidationFailed, 400, "A field or parameter is invalid (or the body is not valid JSON); `errors` names each field and what is wrong with it."),
        new(ErrorCodes.InvalidCursor, 400, "The cursor is malformed, forged or belongs to another list; start again from the first page."),
        new(ErrorCodes.UnsupportedPlatform, 400, "The platform is not one of twitch, youtube, discord, kick, slack."),
        new(ErrorCodes.Unauthorized, 401, "No valid credentials: send `X-API-Key: <key>` or `Authorization: Bearer <Hub token>`."),
        new(ErrorCodes.Forbidden, 403, "These credentials may not do this: the service key lacks the scope (`required_scope` names it), the action is for services only, or only services and super admins may ask for it."),
        new(ErrorCodes.InsufficientRole, 403, "The user's role in this community is too low (`actor_role`, `required_role`), or the member acted on does not rank below it."),
        new(ErrorCodes.MemberBanned, 403, "The user is banned from (or timed out in) this community; every linked platform account is covered."),
        new(ErrorCodes.PremiumRequired, 403, "Premium-only settings on a free community; `keys` names them."),
        new(ErrorCodes.TierLimitExceeded, 403, "The community's tier allows no more platform connections (`tier`, `limit`)."),
        new(ErrorCodes.CommunityNotFound, 404, "No such community, or it is private and the caller is not a member (both look the same)."),
        new(ErrorCodes.MemberNotFound, 404, "The hub user is not a member of this community."),
        new(ErrorCodes.UserNotFound, 404, "No such hub user (or it was merged into another)."),
        new(ErrorCodes.IdentityNotFound, 404, "No hub user has this platform account."),
        new(ErrorCodes.PlatformNotFound, 404, "The community has no such platform connection."),
        new(ErrorCodes.InviteNotFound, 404, "No invite with this code admits anyone: it is unknown, revoked, expired or used up (one answer for all)."),
        new(ErrorCodes.NotFound, 404, "The resource named in the path does not exist (or is not visible to the caller)."),
        new("method_not_allowed", 405, "The path exists but does not take this HTTP method; `Allow` lists the ones it takes."),
        new(ErrorCodes.CommunityNameTaken, 409, "Another community has this name (names are unique regardless of case)."),
        new(ErrorCodes.PlatformAlreadyConnected, 409, "This platform community is already connected to an active community."),
        new(ErrorCodes.IdentityLinkedElsewhere, 409, "The platform account belongs to another hub user; send `merge: true` to merge that user into this one."),
        new(ErrorCodes.OwnerCannotLeave, 409, "The owner cannot leave or be removed; transfer ownership first."),
        new(ErrorCodes.CommunityInactive, 409, "The community is deactivated; restore it first."),
        new(ErrorCodes.Conflict, 409, "The request conflicts with the current state, a request with the same `Idempotency-Key` is still running, or it raced another request and was rolled back; read again and retry."),
        new(ErrorCodes.PreconditionFailed, 412, "`If-Match` names a version that is no longer current; read the resource again and retry with its new `ETag`."),
        new(ErrorCodes.PayloadTooLarge, 413, "The request body is larger than 1 MiB."),
        new(ErrorCodes.UnsupportedMediaType, 415, "The body is not `application/json`."),
        new(ErrorCodes.IdempotencyKeyReused, 422, "This `Idempotency-Key` was already used for a different request; use a new key."),
        new(ErrorCodes.RateLimited, 429, "Too many requests from this caller in the window; retry after `Retry-After` seconds."),
        new(ErrorCodes.InternalError, 500, "An unexpected error; nothing internal is revealed. Quote `trace_id` when reporting it."),
        new(ErrorCodes.ServiceUnavailable, 503, "The database is unreachable; retry after `Retry-After` seconds."),
    ];

    public static readonly IReadOnlyDictionary<string, ProblemKind> ByCode = All.ToDictionary(k => k.Code);

    public static ProblemKind Of(string code) =>
        ByCode.TryGetValue(code, out var kind) ? kind : throw new InvalidOperationException($"The problem code '{code}' is not in the catalog.");
}
