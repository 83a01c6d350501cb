using System.Globalization;
using Community.Api.Events;
using Community.Api.Http;
using StackExchange.Redis;

namespace Community.Api.Relay;

/// <summary>
/// An event as the fleet's stream pipeline writes and reads an entry: <c>data</c> is the event as JSON (the feed's
/// <see cref="EventResponse"/>), <c>timestamp</c> the moment it was appended (ISO 8601, UTC) and <c>retry_count</c>
/// <c>"0"</c>, which consumers parse with <c>int()</c> and raise when they retry.
/// </summary>
public static class StreamEntry
{
    public const string Data = "data", Timestamp = "timestamp", RetryCount = "retry_count";

    public static NameValueEntry[] Of(OutboxEvent e, DateTime appendedAt) =>
    [
        new(Data, ApiJson.Serialize(EventResponse.From(e))),
        new(Timestamp, appendedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)),
        new(RetryCount, "0"),
    ];
}
