using Community.Api.Http;
using System.Security.Cryptography;
using System.Text;
using Community.Api.Auth;
using Community.Api.Data;
using Community.Api.Hosting;
using Community.Api.Security;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> on POST: the first request with a key runs and its response is stored; a repeat with the
/// same key and body gets that response again (<c>Idempotent-Replayed: true</c>); the same key with another body or
/// endpoint is 422; a repeat while the first still runs is 409. Keys belong to the caller and live 24 hours.
/// The claim on a key is a row inserted with ON CONFLICT DO NOTHING, so concurrent repeats cannot both run.
/// </summary>
public sealed class IdempotencyMiddleware(
    RequestDelegate next, IServiceScopeFactory scopes, TimeProvider clock, SecretProtector secrets, ILogger<IdempotencyMiddleware> logger)
{
    public const string Header = "Idempotency-Key";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    public async Task InvokeAsync(HttpContext context)
    {
        var key = context.Request.Headers[Header].ToString();
        var caller = Caller.From(context.User);
        if (!HttpMethods.IsPost(context.Request.Method) || key.Length == 0 || caller is null)
        {
            await next(context);
            return;
        }
        if (key.Length > 255 || key.Any(char.IsControl))
        {
            await Problems.WriteAsync(context, 400, ErrorCodes.ValidationFailed, "Idempotency-Key must be 1–255 printable characters.");
            return;
        }

        var hash = await RequestHashAsync(context.Request);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CommunityDb>();
        var now = clock.UtcNow();
        var expired = now - Lifetime;
        // A key older than its lifetime is free again.
        await db.IdempotencyRecords.Where(r => r.Caller == caller.Key && r.IdempotencyKey == key && r.CreatedAt < expired).ExecuteDeleteAsync();
        var claimed = await db.Database.SqlQuery<string>($"""
            INSERT INTO idempotency_keys (caller, idempotency_key, request_hash, created_at) VALUES ({caller.Key}, {key}, {hash}, {now})
            ON CONFLICT (caller, idempotency_key) DO NOTHING RETURNING caller AS "Value"
            """).ToListAsync();

        if (claimed.Count == 0)
        {
            var first = await db.IdempotencyRecords.AsNoTracking().FirstOrDefaultAsync(r => r.Caller == caller.Key && r.IdempotencyKey == key);
            if (first is null) await Problems.WriteAsync(context, 409, ErrorCodes.Conflict, "This Idempotency-Key was released while checking it; retry the request.");
            else if (first.RequestHash != hash)
                await Problems.WriteAsync(context, 422, ErrorCodes.IdempotencyKeyReused, "This Idempotency-Key was already used for a different request; use a new key.");
            else if (first.StatusCode is null)
                await Problems.WriteAsync(context, 409, ErrorCodes.Conflict, "A request with this Idempotency-Key is still being processed; retry shortly.");
            else if (TryUnseal(context, first.Body, out var body)) await ReplayAsync(context, first, body);
            else
            {
                logger.LogWarning("The reply kept for an Idempotency-Key was sealed with an encryption key no longer configured; the repeat is refused");
                await Problems.WriteAsync(context, 409, ErrorCodes.Conflict,
                    "The request with this Idempotency-Key already took effect, but its reply was sealed with an encryption key that is no longer configured and cannot be shown again.");
            }
            return;
        }

        var original = context.Response.Body;
        using var captured = new MemoryStream();
        context.Response.Body = captured;
        var stored = false;
        try
        {
            await next(context);
            var response = context.Response;
            if (response.StatusCode < 500)
            {
                await db.IdempotencyRecords.Where(r => r.Caller == caller.Key && r.IdempotencyKey == key).ExecuteUpdateAsync(s => s
                    .SetProperty(r => r.StatusCode, response.StatusCode)
                    .SetProperty(r => r.ContentType, response.ContentType)
                    .SetProperty(r => r.Location, response.Headers.Location.ToString())
                    .SetProperty(r => r.ETag, response.Headers.ETag.ToString())
                    .SetProperty(r => r.Body, Seal(context, captured.ToArray())));
                stored = true;
            }
        }
        finally
        {
            context.Response.Body = original;
            // A failure is not remembered: the client may retry with the same key.
            if (!stored)
                await db.IdempotencyRecords.Where(r => r.Caller == caller.Key && r.IdempotencyKey == key).ExecuteDeleteAsync(CancellationToken.None);
        }
        captured.Position = 0;
        await captured.CopyToAsync(original, context.RequestAborted);
    }

    // A response that carries a secret (a webhook's signing secret) is kept sealed, like the secret itself.
    private byte[] Seal(HttpContext context, byte[] body) => IsSecret(context) && body.Length > 0
        ? Encoding.UTF8.GetBytes(secrets.Protect(Encoding.UTF8.GetString(body)))
        : body;

    // A sealed reply opens only while the key it was sealed with is configured: removed within its 24 hours (the
    // README's rotation steps say not to), it cannot be replayed.
    private bool TryUnseal(HttpContext context, byte[]? stored, out byte[]? body)
    {
        body = stored;
        if (!IsSecret(context) || stored is not { Length: > 0 }) return true;
        try
        {
            body = Encoding.UTF8.GetBytes(secrets.Unprotect(Encoding.UTF8.GetString(stored)));
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static bool IsSecret(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<SecretResponseMetadata>() is not null;

    private static async Task<string> RequestHashAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        await using (var copy = new MemoryStream())
        {
            await request.Body.CopyToAsync(copy);
            sha.AppendData(copy.ToArray());
        }
        request.Body.Position = 0;
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static async Task ReplayAsync(HttpContext context, IdempotencyRecord first, byte[]? body)
    {
        var response = context.Response;
        response.StatusCode = first.StatusCode!.Value;
        if (!string.IsNullOrEmpty(first.ContentType)) response.ContentType = first.ContentType;
        if (!string.IsNullOrEmpty(first.Location)) response.Headers.Location = first.Location;
        if (!string.IsNullOrEmpty(first.ETag)) response.Headers.ETag = first.ETag;
        response.Headers["Idempotent-Replayed"] = "true";
        if (body is { Length: > 0 }) await response.Body.WriteAsync(body, context.RequestAborted);
    }

}

/// <summary>Endpoint metadata: the response carries a secret, so the copy kept for Idempotency-Key replays is sealed.</summary>
public sealed class SecretResponseMetadata
{
    public static readonly SecretResponseMetadata Instance = new();
}
