using System.Text.Json;
using System.Text.RegularExpressions;
using Community.Api.Data;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Http;

/// <summary>
/// The one place unexpected exceptions become responses. Bad input the framework rejects (malformed JSON,
/// wrong content type, oversized body, unparsable query values) becomes a 4xx with a code; database
/// races become 409/412; an unavailable database 503; anything else a 500 that reveals nothing.
/// </summary>
public sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            context.Response.StatusCode = 499; // client went away; nobody reads this
            return true;
        }

        var (status, code, detail, errors) = Classify(exception);
        if (status >= 500 && code != Http.ErrorCodes.ServiceUnavailable)
            logger.LogError(exception, "Unhandled exception on {Method} {Path}", context.Request.Method, context.Request.Path);
        else if (status >= 500)
            logger.LogWarning(exception, "Database unavailable on {Method} {Path}", context.Request.Method, context.Request.Path);

        context.Response.StatusCode = status;
        if (status == 503) context.Response.Headers.RetryAfter = "5";
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = status,
            Title = Problems.TitleFor(code),
            Type = Problems.TypeFor(code),
            Detail = detail,
            Extensions = { ["code"] = code },
        };
        if (errors is not null) problem.Extensions["errors"] = errors;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    private static (int Status, string Code, string Detail, Dictionary<string, string[]>? Errors) Classify(Exception e) => e switch
    {
        BadHttpRequestException bad => FromBadRequest(bad),
        DbUpdateConcurrencyException => (412, Http.ErrorCodes.PreconditionFailed, "The resource changed while this request ran; read it again and retry.", null),
        _ when DbErrors.IsRaceLost(e) => (409, Http.ErrorCodes.Conflict, "The request raced another one and was rolled back; retry it.", null),
        _ when DbErrors.IsUnavailable(e) => (503, Http.ErrorCodes.ServiceUnavailable, "The database is unavailable; retry shortly.", null),
        _ when DbErrors.IsUniqueViolation(e) => (409, Http.ErrorCodes.Conflict, "The request conflicts with existing data (it may have raced another request); retry it.", null),
        _ when DbErrors.IsConstraintViolation(e) => (409, Http.ErrorCodes.Conflict, "The request conflicts with the current state of the data.", null),
        _ => (500, Http.ErrorCodes.InternalError, "An unexpected error occurred; quote the trace_id when reporting it.", null),
    };

    private static (int, string, string, Dictionary<string, string[]>?) FromBadRequest(BadHttpRequestException bad)
    {
        if (bad.InnerException is JsonException json) return MalformedJson(json);
        return bad.StatusCode switch
        {
            413 => (413, Http.ErrorCodes.PayloadTooLarge, $"The request body is larger than {HttpConventions.MaxBodyBytes} bytes.", null),
            415 => (415, Http.ErrorCodes.UnsupportedMediaType, "Send the body as application/json.", null),
            400 when BindFailure().Match(bad.Message) is { Success: true } m =>
                (400, Http.ErrorCodes.ValidationFailed, "A parameter has a value of the wrong type.",
                    // The message names the C# parameter (includeInactive); clients know the wire name (include_inactive).
                    new() { [JsonNamingPolicy.SnakeCaseLower.ConvertName(m.Groups["name"].Value)] = [$"'{m.Groups["value"].Value}' is not a valid value."] }),
            400 when bad.Message.Contains("no body was provided") || bad.Message.Contains("body was empty") =>
                (400, Http.ErrorCodes.ValidationFailed, "A JSON request body is required.", null),
            400 when bad.Message.StartsWith("Required parameter") =>
                (400, Http.ErrorCodes.ValidationFailed, "A required parameter is missing.", null),
            var status => (status, Http.ErrorCodes.ForStatus(status), "The request could not be read.", null),
        };
    }

    private static (int, string, string, Dictionary<string, string[]>?) MalformedJson(JsonException json)
    {
        if (json.Message.StartsWith("Duplicate", StringComparison.Ordinal))
            return (400, Http.ErrorCodes.ValidationFailed, "A field appears more than once in the request body; send each field once.",
                json.Path is { Length: > 2 } duplicate ? new() { [duplicate.TrimStart('$', '.')] = ["Appears more than once."] } : null);
        // "could not be converted" is a well-formed body with a wrong-typed field; its JSON path names the field.
        if (json.Message.Contains("could not be converted") && json.Path is { Length: > 2 } path)
            return (400, Http.ErrorCodes.ValidationFailed, "A field has a value of the wrong type.",
                new() { [path.TrimStart('$', '.')] = ["Has the wrong type."] });
        return (400, Http.ErrorCodes.ValidationFailed, "The request body is not valid JSON.", null);
    }

    [GeneratedRegex("""^Failed to bind parameter "(?:[^ ]+ )?(?<name>[^"]+)" from "(?<value>[^"]*)"\.""")]
    private static partial Regex BindFailure();
}
