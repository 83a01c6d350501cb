using Microsoft.Extensions.Caching.Hybrid;
using StackExchange.Redis;

namespace Community.Api.Caching;

/// <summary>
/// Drops cached entries, by key or by tag, after a write commits: here at once, and on every other instance
/// through Redis pub/sub when Redis is configured (HybridCache alone would leave their in-process copies stale).
/// </summary>
public sealed class CacheInvalidator(HybridCache cache, ILogger<CacheInvalidator> logger, IServiceProvider services, string channel) : IHostedService
{
    private readonly RedisChannel _channel = RedisChannel.Literal(channel);
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private readonly IConnectionMultiplexer? _redis = services.GetService<IConnectionMultiplexer>();

    public Task InvalidateAsync(params string[] tags) => InvalidateAsync(tags, []);

    public async Task InvalidateAsync(IReadOnlyCollection<string> tags, IReadOnlyCollection<string> keys)
    {
        if (tags.Count == 0 && keys.Count == 0) return;
        await ApplyAsync(tags, keys);
        if (_redis is null) return;
        try
        {
            var lines = tags.Select(t => $"t:{t}").Concat(keys.Select(k => $"k:{k}")).Prepend(_instance);
            await _redis.GetSubscriber().PublishAsync(_channel, string.Join('\n', lines));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // The write has committed; other instances fall back to the short in-process expiry.
            logger.LogWarning(e, "Could not publish a cache invalidation");
        }
    }

    private async Task ApplyAsync(IEnumerable<string> tags, IEnumerable<string> keys)
    {
        try
        {
            await cache.RemoveByTagAsync(tags);
            await cache.RemoveAsync(keys);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // The in-process copies are gone; only the shared level could not be told. The write itself has
            // committed and must not be reported as failed; Redis entries expire on their own.
            logger.LogWarning(e, "Could not invalidate the shared cache");
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_redis is null) return;
        try
        {
            await _redis.GetSubscriber().SubscribeAsync(_channel, (source, message) =>
            {
                var lines = message.ToString().Split('\n');
                if (lines[0] == _instance) return; // our own, already applied
                _ = ApplyAsync(lines.Where(l => l.StartsWith("t:")).Select(l => l[2..]).ToList(),
                    lines.Where(l => l.StartsWith("k:")).Select(l => l[2..]).ToList());
            });
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning(e, "Redis is unreachable; cache invalidations from other instances will not arrive until restart");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
