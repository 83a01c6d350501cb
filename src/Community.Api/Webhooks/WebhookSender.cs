using Community.Api.Events;
using System.Globalization;
using System.Text;
using Community.Api.Http;
using Microsoft.Extensions.Options;

namespace Community.Api.Webhooks;

/// <summary>What one attempt came to: the status code when the endpoint answered, and why it did not count as delivered.</summary>
public sealed record AttemptOutcome(int? StatusCode, string? Error)
{
    public bool Delivered => StatusCode is >= 200 and < 300;

    /// <summary>410 Gone: the consumer asks never to be called again.</summary>
    public bool Gone => StatusCode == 410;
}

/// <summary>The Standard Webhooks body: <c>{"type", "timestamp", "data"}</c>, with the feed item as <c>data</c>.</summary>
public sealed record WebhookPayload(string Type, DateTime Timestamp, EventResponse Data);

/// <summary>Sends one signed attempt of a delivery over the guarded <c>webhooks</c> HTTP client.</summary>
public sealed class WebhookSender(IHttpClientFactory clients, TimeProvider clock, IOptions<WebhookOptions> options)
{
    public const string ClientName = "webhooks";

    public async Task<AttemptOutcome> SendAsync(ClaimedDelivery delivery, string secret, CancellationToken ct)
    {
        var e = delivery.Event;
        var body = ApiJson.Serialize(new WebhookPayload(e.Type, e.OccurredAt, EventResponse.From(e)));
        // Stable across retries of this delivery, so the consumer can drop a repeat it already processed.
        var messageId = $"msg_{delivery.Id}";
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("webhook-id", messageId);
            request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add("webhook-signature", WebhookSigning.Sign(secret, messageId, timestamp, body));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.TimeoutSeconds));
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            return new AttemptOutcome(status, response.IsSuccessStatusCode ? null : $"The endpoint answered {status} {response.ReasonPhrase}.");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new AttemptOutcome(null, $"No answer within {options.Value.TimeoutSeconds} s.");
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            // Connection refused, TLS, DNS, a refused internal target: the message says which, and never carries the secret.
            var refused = FindRefusal(failure);
            return new AttemptOutcome(null, refused?.Message ?? failure.Message);
        }
    }

    private static WebhookTargetRefusedException? FindRefusal(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is WebhookTargetRefusedException refused) return refused;
        return null;
    }
}
