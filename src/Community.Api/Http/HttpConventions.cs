using Microsoft.AspNetCore.Http.Json;

namespace Community.Api.Http;

/// <summary>The wire conventions of CONTRACT §2, registered and wired in one place.</summary>
public static class HttpConventions
{
    /// <summary>Largest accepted request body: 1 MiB. One byte more is 413.</summary>
    public const long MaxBodyBytes = 1024 * 1024;

    public static void AddHttpConventions(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<JsonOptions>(o => ApiJson.Configure(o.SerializerOptions));
        // Binding failures (malformed JSON, wrong content type, bad query values) reach ApiExceptionHandler as exceptions.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxBodyBytes);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var status = problem.Status ?? context.HttpContext.Response.StatusCode;
            if (!problem.Extensions.ContainsKey("code"))
            {
                var code = ErrorCodes.ForStatus(status);
                problem.Extensions["code"] = code;
                problem.Type = Problems.TypeFor(code);
            }
            // Problems the framework writes itself (routing 404/405, the 415 of a non-JSON body) carry no detail.
            problem.Detail ??= Problems.DefaultDetailFor(status);
            problem.Extensions["success"] = false;
            problem.Extensions["trace_id"] = CorrelationIdMiddleware.Of(context.HttpContext) ?? context.HttpContext.TraceIdentifier;
        });
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
    }

    /// <summary>The outermost middleware: correlation id, then error handling, then the body limit.</summary>
    public static void UseHttpConventions(this WebApplication app)
    {
        app.UseMiddleware<CorrelationIdMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages(); // bodiless 404/405 from routing become problem details too
        app.UseMiddleware<BodySizeLimitMiddleware>();
    }
}
