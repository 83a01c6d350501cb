using Community.Api.Http;
using Community.Api.Operations;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Api.Invites;

/// <summary>
/// Counts every 404 <c>invite_not_found</c> a holder's request answers, by operation (preview or accept), in
/// <c>waddlebot_invite_lookup_failures_total</c>, so guessing shows on a dashboard. It counts answers, not codes: the
/// metric must never carry what was guessed. Domain code stays free of metrics.
/// </summary>
public sealed class CountFailedInviteLookups : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        if (ProblemOf(result) is { StatusCode: StatusCodes.Status404NotFound } problem
            && problem.ProblemDetails.Extensions.TryGetValue("code", out var code) && Equals(code, ErrorCodes.InviteNotFound))
            ServiceMetrics.InviteLookupFailures.WithLabels(HttpMethods.IsGet(context.HttpContext.Request.Method) ? "preview" : "accept").Inc();
        return result;
    }

    private static ProblemHttpResult? ProblemOf(object? result) => result switch
    {
        ProblemHttpResult problem => problem,
        INestedHttpResult { Result: ProblemHttpResult problem } => problem,
        _ => null,
    };
}
