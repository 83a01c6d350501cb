using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Community.Api.Tests.Infrastructure;

/// <summary>JSON over HTTP as a client writes it: field names exactly as given (the API is snake_case).</summary>
public static class HttpJson
{
    private static readonly JsonSerializerOptions AsWritten = new() { PropertyNamingPolicy = null };

    public static Task<HttpResponseMessage> Post(this HttpClient client, string url, object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body, options: AsWritten) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> Patch(this HttpClient client, string url, object body, string? ifMatch = null) =>
        client.Send(HttpMethod.Patch, url, body, ifMatch);

    public static Task<HttpResponseMessage> Put(this HttpClient client, string url, object body, string? ifMatch = null) =>
        client.Send(HttpMethod.Put, url, body, ifMatch);

    public static Task<HttpResponseMessage> Send(this HttpClient client, HttpMethod method, string url, object? body = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, url);
        if (body is not null) request.Content = JsonContent.Create(body, options: AsWritten);
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return client.SendAsync(request);
    }

    /// <summary>A GET, optionally conditional on <c>If-None-Match</c>.</summary>
    public static Task<HttpResponseMessage> Get(this HttpClient client, string url, string? ifNoneMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (ifNoneMatch is not null) request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        return client.SendAsync(request);
    }

    /// <summary>Posts raw text with a content type, for malformed-body tests.</summary>
    public static Task<HttpResponseMessage> PostRaw(this HttpClient client, string url, string body, string contentType = "application/json",
        string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return client.SendAsync(request);
    }

    /// <summary>The <c>errors</c> field names of a validation problem, sorted.</summary>
    public static string[] ErrorFields(this JsonElement problem) =>
        problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order().ToArray();

    public static async Task<JsonElement> Json(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts the status and returns the envelope's <c>data</c>.</summary>
    public static async Task<JsonElement> Data(this HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} but got {(int)response.StatusCode}: {body}");
        var root = JsonDocument.Parse(body).RootElement.Clone();
        Assert.True(root.GetProperty("success").GetBoolean());
        return root.GetProperty("data");
    }

    /// <summary>Asserts a problem-details error with the status and code, and returns its body.</summary>
    public static async Task<JsonElement> Problem(this HttpResponseMessage response, HttpStatusCode expected, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} {code} but got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var root = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(code, root.GetProperty("code").GetString());
        Assert.False(root.GetProperty("success").GetBoolean());
        Assert.True(root.TryGetProperty("trace_id", out _));
        return root;
    }

    public static async Task<JsonElement> Data(this Task<HttpResponseMessage> response, HttpStatusCode expected = HttpStatusCode.OK) =>
        await (await response).Data(expected);

    public static async Task<JsonElement> Problem(this Task<HttpResponseMessage> response, HttpStatusCode expected, string code) =>
        await (await response).Problem(expected, code);

    /// <summary>The response's <c>ETag</c> header, quotes included, as a client sends it back.</summary>
    public static string ETag(this HttpResponseMessage response) =>
        response.Headers.ETag?.ToString() ?? throw new Xunit.Sdk.XunitException($"No ETag on the {(int)response.StatusCode} response.");

    public static string Str(this JsonElement e, string name) => e.GetProperty(name).GetString()!;
    public static long Long(this JsonElement e, string name) => e.GetProperty(name).GetInt64();
    public static int Int(this JsonElement e, string name) => e.GetProperty(name).GetInt32();
    public static bool Bool(this JsonElement e, string name) => e.GetProperty(name).GetBoolean();
}
