namespace Community.Api.Http;

/// <summary>
/// Answers the requests routing could not place before anyone asks for credentials: a path that matches no route is
/// 404 and a method a route does not take is 405, whoever calls (the fleet's convention). Runs after routing, before
/// authentication.
/// </summary>
public static class UnroutedRequests
{
    public static IApplicationBuilder UseUnroutedRequests(this IApplicationBuilder app) => app.Use((context, next) =>
        context.GetEndpoint() switch
        {
            // StatusCodePages, further out, turns the bodiless 404 into a not_found problem.
            null => Respond(context, StatusCodes.Status404NotFound),
            // Anything routing selected that is not a mapped route is its own rejection (405 with Allow): run it now.
            { RequestDelegate: { } reject } and not RouteEndpoint => reject(context),
            _ => next(context),
        });

    private static Task Respond(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }
}
