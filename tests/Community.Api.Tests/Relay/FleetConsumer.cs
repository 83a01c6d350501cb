using System.Text.Json;
using Community.Api.Caching;
using Community.Api.Tests.Infrastructure;
using StackExchange.Redis;

namespace Community.Api.Tests.Relay;

/// <summary>An entry as the fleet's pipeline hands it to a consumer: <c>json.loads(data)</c>, <c>int(retry_count)</c>, <c>timestamp</c> as sent.</summary>
public sealed record FleetMessage(string EntryId, string[] Fields, JsonElement Event, string Timestamp, int RetryCount)
{
    public long Id => Event.GetProperty("id").GetInt64();
    public string Type => Event.GetProperty("type").GetString()!;
    public long? CommunityId => Event.GetProperty("community_id").ValueKind == JsonValueKind.Null ? null : Event.GetProperty("community_id").GetInt64();
    public JsonElement Data => Event.GetProperty("data");
}

/// <summary>
/// A consumer in a consumer group of its own on the real Redis (never through a test's proxy), reading and
/// acknowledging as the fleet's <c>StreamPipeline.consume_events</c> and <c>acknowledge_event</c> do. The group starts
/// at the beginning of the stream, so it sees what was appended before it joined.
/// </summary>
public sealed class FleetConsumer : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly ConnectionMultiplexer _redis;
    private readonly RedisKey _stream;
    private readonly string _group = $"test-group-{Guid.NewGuid():N}";
    private readonly List<FleetMessage> _received = [];

    private FleetConsumer(ConnectionMultiplexer redis, string stream)
    {
        _redis = redis;
        _stream = stream;
    }

    /// <summary>Every message read so far, in stream order (repeats included).</summary>
    public IReadOnlyList<FleetMessage> Received => _received;

    public static async Task<FleetConsumer> JoinAsync(string streamKey)
    {
        var url = (await RedisServer.GetAsync()).Url ?? throw new InvalidOperationException("No test Redis.");
        var consumer = new FleetConsumer(await ConnectionMultiplexer.ConnectAsync(CacheSetup.RedisOptions(url)), streamKey);
        await consumer.Db.StreamCreateConsumerGroupAsync(streamKey, consumer._group, "0", createStream: true);
        return consumer;
    }

    private IDatabase Db => _redis.GetDatabase();

    /// <summary>Reads (XREADGROUP … &gt;) and acknowledges (XACK) whatever is new.</summary>
    public async Task<IReadOnlyList<FleetMessage>> ReadAsync()
    {
        var read = new List<FleetMessage>();
        while (true)
        {
            var entries = await Db.StreamReadGroupAsync(_stream, _group, "test-consumer", ">", count: 100);
            if (entries.Length == 0) break;
            foreach (var entry in entries)
            {
                var fields = entry.Values.ToDictionary(v => v.Name.ToString(), v => v.Value.ToString());
                read.Add(new FleetMessage(entry.Id!, [.. fields.Keys], JsonDocument.Parse(fields.GetValueOrDefault("data", "{}")).RootElement.Clone(),
                    fields.GetValueOrDefault("timestamp", ""), int.Parse(fields.GetValueOrDefault("retry_count", "0"))));
                await Db.StreamAcknowledgeAsync(_stream, _group, entry.Id);
            }
        }
        _received.AddRange(read);
        return read;
    }

    /// <summary>Reads until <paramref name="done"/> holds for everything received; fails after 30 s.</summary>
    public async Task<IReadOnlyList<FleetMessage>> UntilAsync(Func<IReadOnlyList<FleetMessage>, bool> done, string failure, CancellationToken ct)
    {
        var giveUp = DateTime.UtcNow + Bound;
        while (true)
        {
            await ReadAsync();
            if (done(_received)) return _received;
            if (DateTime.UtcNow > giveUp) Assert.Fail($"{failure} within {Bound.TotalSeconds} s; received {_received.Count} messages.");
            await Task.Delay(50, ct);
        }
    }

    /// <summary>Reads until every one of <paramref name="eventIds"/> has arrived at least once.</summary>
    public Task<IReadOnlyList<FleetMessage>> UntilAllAsync(IReadOnlyCollection<long> eventIds, CancellationToken ct) =>
        UntilAsync(r => eventIds.All(r.Select(m => m.Id).ToHashSet().Contains), "Not every committed event reached the stream", ct);

    /// <summary>Entries still pending for the group (read, not acknowledged): none once a consumer has acknowledged all.</summary>
    public async Task<long> PendingAsync() => (await Db.StreamPendingAsync(_stream, _group)).PendingMessageCount;

    public async ValueTask DisposeAsync()
    {
        await _redis.DisposeAsync();
    }
}
