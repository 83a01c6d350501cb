namespace Community.Api.Http;

/// <summary>
/// Refuses request bodies over <see cref="HttpConventions.MaxBodyBytes"/> with 413 on any server. Kestrel has the same
/// limit; this also covers hosts without one (the test server) and chunked bodies that declare no length, which are
/// read here (they are small by definition) so the limit fails before any handler runs.
/// </summary>
public sealed class BodySizeLimitMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength > HttpConventions.MaxBodyBytes) throw TooLarge();
        if (request.ContentLength is null && !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > HttpConventions.MaxBodyBytes) throw TooLarge();
                buffer.Write(chunk, 0, read);
            }
            buffer.Position = 0;
            request.Body = buffer;
            request.ContentLength = buffer.Length;
        }
        await next(context);
    }

    private static BadHttpRequestException TooLarge() => new("Request body too large.", StatusCodes.Status413PayloadTooLarge);
}
