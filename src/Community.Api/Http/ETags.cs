using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Community.Api.Http;

/// <summary>
/// Strong ETags computed from the representation itself, so anything that changes what a client sees
/// (a rename, a new platform, a member joining) changes the tag.
/// </summary>
public static class ETags
{
    public static string For<T>(T representation)
    {
        var hash = SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(representation, ApiJson.Options));
        return $"\"{Base64Url.Encode(hash.AsSpan(0, 16))}\"";
    }

    /// <summary>Null when the request may proceed; 412 when it sent <c>If-Match</c> and none of its tags is current.</summary>
    public static ProblemHttpResult? CheckIfMatch(HttpRequest request, string currentETag)
    {
        var header = request.Headers.IfMatch;
        if (header.Count == 0) return null;
        var tags = EntityTagHeaderValue.ParseList(header);
        return tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || (!t.IsWeak && t.Tag == currentETag)) ? null : Problems.PreconditionFailed();
    }

    /// <summary>The representation with its <c>ETag</c>, or 304 when <c>If-None-Match</c> already has it.</summary>
    public static Results<Ok<Envelope<T>>, StatusCodeHttpResult> WithETag<T>(HttpContext context, T representation)
    {
        var etag = For(representation);
        context.Response.Headers.ETag = etag;
        var ifNoneMatch = context.Request.Headers.IfNoneMatch;
        if (ifNoneMatch.Count > 0 && EntityTagHeaderValue.ParseList(ifNoneMatch).Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Tag == etag))
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        return TypedResults.Ok(Envelope.Of(representation));
    }
}
