using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Community.Api.Tests.Events;

/// <summary>One request the receiver got, with whether its Standard Webhooks signature verified against the secret.</summary>
public sealed record ReceivedWebhook(string WebhookId, long Timestamp, string Body, bool SignatureValid, int AnsweredWith)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
    public string Type => Json.GetProperty("type").GetString()!;
    public long EventId => Json.GetProperty("data").GetProperty("id").GetInt64();
    public long? CommunityId => Json.GetProperty("data").GetProperty("community_id") is { ValueKind: JsonValueKind.Number } id ? id.GetInt64() : null;
}

/// <summary>
/// A real HTTP endpoint on 127.0.0.1 (a tiny Kestrel app) that verifies every request's signature with the
/// subscription's secret on its own (not with the service's code), records it, and answers as the test says.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly ConcurrentDictionary<string, int> _timesSeen = new();
    private readonly SemaphoreSlim _arrivals = new(0);

    private WebhookReceiver(WebApplication app) => _app = app;

    /// <summary>The <c>whsec_…</c> secret requests are verified with; set it from the create response.</summary>
    public string? Secret { get; set; }

    /// <summary>The status to answer: given the request and how many times its webhook-id has now been seen (1 on the first).</summary>
    public Func<ReceivedWebhook, int, int> Answer { get; set; } = (_, _) => 200;

    /// <summary>Awaited before answering, to hold requests open (for timeouts and overlap).</summary>
    public Func<Task> Delay { get; set; } = () => Task.CompletedTask;

    public string Url => $"{_app.Urls.First()}/hook";

    public IReadOnlyList<ReceivedWebhook> Received => _received.ToList();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", receiver.HandleAsync);
        await app.StartAsync();
        return receiver;
    }

    private async Task<IResult> HandleAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var id = request.Headers["webhook-id"].ToString();
        long.TryParse(request.Headers["webhook-timestamp"].ToString(), out var timestamp);
        var valid = Verify(id, request.Headers["webhook-timestamp"].ToString(), body, request.Headers["webhook-signature"].ToString());
        var seen = _timesSeen.AddOrUpdate(id, 1, (_, n) => n + 1);
        var pending = new ReceivedWebhook(id, timestamp, body, valid, 0);
        var status = Answer(pending, seen);
        _received.Enqueue(pending with { AnsweredWith = status });
        _arrivals.Release();
        await Delay();
        return Results.StatusCode(status);
    }

    /// <summary>Waits until <paramref name="count"/> requests have arrived, for tests of the background loop; false after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (_received.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _arrivals.WaitAsync(left)) return _received.Count >= count;
        }
        return true;
    }

    private bool Verify(string id, string timestamp, string body, string signatureHeader)
    {
        if (Secret is null || !Secret.StartsWith("whsec_")) return false;
        var key = Convert.FromBase64String(Secret["whsec_".Length..]);
        var expected = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
        // The header may carry several space-separated signatures (during secret rotation); one must match.
        return signatureHeader.Split(' ').Any(s => s == $"v1,{expected}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
