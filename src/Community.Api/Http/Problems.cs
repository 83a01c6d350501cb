using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Api.Http;

/// <summary>
/// Every expected failure as RFC 9457 problem details with a machine-readable <c>code</c>.
/// <see cref="HttpConventions"/> adds <c>success:false</c> and <c>trace_id</c> to all of them.
/// </summary>
public static class Problems
{
    public static ProblemHttpResult Of(int status, string code, string detail, IDictionary<string, object?>? extensions = null)
    {
        var ext = new Dictionary<string, object?>(extensions ?? new Dictionary<string, object?>()) { ["code"] = code };
        return TypedResults.Problem(detail: detail, statusCode: status, title: TitleFor(code), type: TypeFor(code), extensions: ext);
    }

    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors, string? detail = null, string code = ErrorCodes.ValidationFailed) =>
        Of(400, code, detail ?? "One or more fields are invalid.",
            new Dictionary<string, object?> { ["errors"] = errors });

    public static ProblemHttpResult Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult NotFound(string code, string detail) => Of(404, code, detail);
    public static ProblemHttpResult Conflict(string code, string detail) => Of(409, code, detail);
    public static ProblemHttpResult Forbidden(string code, string detail, IDictionary<string, object?>? extensions = null) => Of(403, code, detail, extensions);
    public static ProblemHttpResult PreconditionFailed() =>
        Of(412, ErrorCodes.PreconditionFailed, "The resource changed since you read it: fetch it again and retry with the new ETag.");

    public static ProblemHttpResult CommunityNotFound(long id) => NotFound(ErrorCodes.CommunityNotFound, $"Community {id} does not exist.");
    public static ProblemHttpResult UserNotFound(long id) => NotFound(ErrorCodes.UserNotFound, $"Hub user {id} does not exist.");
    public static ProblemHttpResult MemberNotFound(long communityId, long hubUserId) =>
        NotFound(ErrorCodes.MemberNotFound, $"Hub user {hubUserId} is not a member of community {communityId}.");

    /// <summary>The detail of a problem that was written without one.</summary>
    internal static string DefaultDetailFor(int status) => status switch
    {
        404 => "Nothing exists at this path; the API reference at /docs lists the routes.",
        405 => "This path does not accept this HTTP method; the API reference at /docs lists the methods.",
        415 => "Send the body as application/json.",
        _ => "The request could not be completed.",
    };

    /// <summary>
    /// Writes a problem straight to the response, for middleware that answers before any endpoint runs
    /// (authentication, rate limits, idempotency); endpoints return <see cref="Of"/> instead.
    /// </summary>
    public static Task WriteAsync(HttpContext context, int status, string code, string detail)
    {
        context.Response.StatusCode = status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = TitleFor(code), Type = TypeFor(code), Detail = detail, Extensions = { ["code"] = code } },
        }).AsTask();
    }

    internal static string TypeFor(string code) => $"urn:problem-type:community-module:{code.Replace('_', '-')}";

    internal static string TitleFor(string code) => code switch
    {
        ErrorCodes.ValidationFailed => "Validation failed",
        ErrorCodes.InvalidCursor => "Invalid cursor",
        ErrorCodes.UnsupportedPlatform => "Unsupported platform",
        ErrorCodes.Unauthorized => "Authentication required",
        ErrorCodes.Forbidden => "Forbidden",
        ErrorCodes.InsufficientRole => "Insufficient role",
        ErrorCodes.MemberBanned => "Member is banned",
        ErrorCodes.PremiumRequired => "Premium tier required",
        ErrorCodes.TierLimitExceeded => "Tier limit exceeded",
        ErrorCodes.PreconditionFailed => "Precondition failed",
        ErrorCodes.PayloadTooLarge => "Payload too large",
        ErrorCodes.UnsupportedMediaType => "Unsupported media type",
        ErrorCodes.IdempotencyKeyReused => "Idempotency key reused",
        ErrorCodes.RateLimited => "Too many requests",
        ErrorCodes.InternalError => "Internal error",
        ErrorCodes.ServiceUnavailable => "Service unavailable",
        _ when code.EndsWith("_not_found") || code == ErrorCodes.NotFound => "Not found",
        _ => "Conflict",
    };
}

/// <summary>The machine-readable error codes of CONTRACT §2.</summary>
public static class ErrorCodes
{
    public const string ValidationFailed = "validation_failed";
    public const string InvalidCursor = "invalid_cursor";
    public const string UnsupportedPlatform = "unsupported_platform";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string InsufficientRole = "insufficient_role";
    public const string MemberBanned = "member_banned";
    public const string PremiumRequired = "premium_required";
    public const string TierLimitExceeded = "tier_limit_exceeded";
    public const string CommunityNotFound = "community_not_found";
    public const string MemberNotFound = "member_not_found";
    public const string UserNotFound = "user_not_found";
    public const string IdentityNotFound = "identity_not_found";
    public const string PlatformNotFound = "platform_not_found";
    public const string InviteNotFound = "invite_not_found";
    public const string NotFound = "not_found";
    public const string CommunityNameTaken = "community_name_taken";
    public const string PlatformAlreadyConnected = "platform_already_connected";
    public const string IdentityLinkedElsewhere = "identity_linked_elsewhere";
    public const string OwnerCannotLeave = "owner_cannot_leave";
    public const string CommunityInactive = "community_inactive";
    public const string Conflict = "conflict";
    public const string PreconditionFailed = "precondition_failed";
    public const string PayloadTooLarge = "payload_too_large";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string IdempotencyKeyReused = "idempotency_key_reused";
    public const string RateLimited = "rate_limited";
    public const string InternalError = "internal_error";
    public const string ServiceUnavailable = "service_unavailable";

    /// <summary>The code for a status that reached the client without one (routing 404s, 405s, framework errors).</summary>
    public static string ForStatus(int status) => status switch
    {
        400 => ValidationFailed,
        401 => Unauthorized,
        403 => Forbidden,
        404 => NotFound,
        405 => "method_not_allowed",
        409 => Conflict,
        412 => PreconditionFailed,
        413 => PayloadTooLarge,
        415 => UnsupportedMediaType,
        422 => IdempotencyKeyReused,
        429 => RateLimited,
        503 => ServiceUnavailable,
        _ => status >= 500 ? InternalError : "request_failed",
    };
}
