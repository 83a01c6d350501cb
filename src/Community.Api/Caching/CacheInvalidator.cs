using System.Collections.Concurrent;
using StackExchange.Redis;

namespace Community.Api.Caching;

/// <summary>
/// Applies invalidations to this instance's <see cref="TaggedCache"/> and, with Redis configured, to every other
/// instance's through pub/sub. Pub/sub delivers at most once, so an instance trusts its cache only while it is sure to
/// hear the others: it sends itself a probe every second and distrusts (bypasses) its cache when a probe does not come
/// back in time, when the connection reports a failure, or when one of its own invalidations could not be published.
/// It trusts again, after dropping every entry, once a probe makes the round trip and nothing is left to publish.
/// </summary>
public sealed class CacheInvalidator(TaggedCache cache, ILogger<CacheInvalidator> logger, IServiceProvider services, string channel)
    : BackgroundService
{
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);

    /// <summary>How long a probe may take to come back before the subscription counts as lost.</summary>
    public static readonly TimeSpan ProbeDeadline = TimeSpan.FromSeconds(3);

    private const string ProbePrefix = "probe:";

    private readonly RedisChannel _channel = RedisChannel.Literal(channel);
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private readonly IConnectionMultiplexer? _redis = services.GetService<IConnectionMultiplexer>();
    private readonly ConcurrentQueue<string> _unpublished = new();
    private long _lastProbeBack = Environment.TickCount64;
    private long _distrustedAt = Environment.TickCount64;
    private bool _subscribed;

    /// <summary>Drops every entry that depends on <paramref name="tags"/>, here at once and on the other instances.</summary>
    public void Invalidate(IReadOnlyCollection<string> tags)
    {
        if (tags.Count == 0) return;
        cache.Invalidate(tags);
        if (_redis is not null) _ = PublishAsync(string.Join('\n', tags.Prepend(_instance)));
    }

    private async Task PublishAsync(string message)
    {
        try
        {
            await _redis!.GetSubscriber().PublishAsync(_channel, message);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // The write has committed; the others must hear of it later, and until then nobody may trust a cache.
            _unpublished.Enqueue(message);
            Distrust("an invalidation could not be published", e);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_redis is null) return;
        cache.Distrust(); // until the first probe proves the subscription works
        _redis.ConnectionFailed += (_, e) => Distrust($"the Redis connection failed ({e.FailureType})", e.Exception);

        using var timer = new PeriodicTimer(ProbeInterval);
        do
        {
            try
            {
                await TickAsync();
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                Distrust("Redis is unreachable", e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task TickAsync()
    {
        var subscriber = _redis!.GetSubscriber();
        if (!_subscribed)
        {
            await subscriber.SubscribeAsync(_channel, (_, message) => Receive(message.ToString()));
            _subscribed = true;
        }
        while (_unpublished.TryPeek(out var message))
        {
            await subscriber.PublishAsync(_channel, message);
            _unpublished.TryDequeue(out _);
        }
        if (cache.Trusted && Environment.TickCount64 - Interlocked.Read(ref _lastProbeBack) > ProbeDeadline.TotalMilliseconds)
            Distrust("no probe came back over Redis pub/sub in time", null);
        await subscriber.PublishAsync(_channel, $"{_instance}\n{ProbePrefix}{Environment.TickCount64}");
    }

    private void Receive(string message)
    {
        var lines = message.Split('\n');
        if (lines[0] != _instance)
        {
            cache.Invalidate(lines.Skip(1));
            return;
        }
        // Our own invalidation was applied when it was sent; our own probe proves the subscription delivers.
        if (lines.Length != 2 || !lines[1].StartsWith(ProbePrefix) || !long.TryParse(lines[1].AsSpan(ProbePrefix.Length), out var sent)) return;
        Interlocked.Exchange(ref _lastProbeBack, Environment.TickCount64);
        // Only a probe sent after the trouble began shows that what others sent since then reached us.
        if (!cache.Trusted && sent > Interlocked.Read(ref _distrustedAt) && _unpublished.IsEmpty)
        {
            cache.Restore();
            logger.LogInformation("Cache invalidations over Redis are flowing again; the local cache was emptied and is used again");
        }
    }

    private void Distrust(string reason, Exception? e)
    {
        Interlocked.Exchange(ref _distrustedAt, Environment.TickCount64);
        if (!cache.Trusted) return;
        cache.Distrust();
        logger.LogWarning(e, "Local cache bypassed: {Reason}; answers come from the database until invalidations flow again", reason);
    }
}
