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
        var id = IsSane(incoming) ? incoming : NewId();
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

    /// <summary>
    /// 128 random bits as 32 hex digits, the shape <c>Guid.ToString("N")</c> had. A correlation id must be unique, not
    /// secret: <see cref="Random.Shared"/> (seeded from the OS once per thread) instead of <c>Guid.NewGuid</c>, which on
    /// Linux reads /dev/urandom with a system call per id.
    /// </summary>
    private static string NewId()
    {
        Span<byte> bits = stackalloc byte[16];
        Random.Shared.NextBytes(bits);
        return Convert.ToHexStringLower(bits);
    }

    private static bool IsSane(string value) =>
        value.Length is > 0 and <= 128 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
}
