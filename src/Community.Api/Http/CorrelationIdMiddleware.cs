namespace Community.Api.Http;

/// <summary>
/// Gives every request a correlation id: the caller's <c>X-Correlation-ID</c> when it is sane, else a new one.
/// It is echoed on every response and carried by every log line written while the request runs.
/// </summary>
public sealed class CorrelationIdMiddleware(RequestDelegate next, ILogger<CorrelationIdMiddleware> logger)
{
    public const string Header = "X-Correlation-ID";

    public async Task InvokeAsync(HttpContext context)
    {
        var incoming = context.Request.Headers[Header].ToString();
        var id = IsSane(incoming) ? incoming : Guid.NewGuid().ToString("N");
        context.Items[Header] = id;
        // OnStarting survives the exception handler clearing the response, so even a 500 carries the id.
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[Header] = id;
            return Task.CompletedTask;
        });
        using (logger.BeginScope("CorrelationId:{CorrelationId}", id))
            await next(context);
    }

    public static string? Of(HttpContext context) => context.Items[Header] as string;

    private static bool IsSane(string value) =>
        value.Length is > 0 and <= 128 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
}
