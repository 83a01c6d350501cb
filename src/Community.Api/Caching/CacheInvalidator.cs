using Microsoft.Extensions.Caching.Hybrid;
using StackExchange.Redis;

namespace Community.Api.Caching;

/// <summary>
/// Drops cached entries by tag after a write commits: here at once, and on every other instance through
/// Redis pub/sub when Redis is configured (HybridCache alone would leave their in-process copies stale).
/// </summary>
public sealed class CacheInvalidator(HybridCache cache, ILogger<CacheInvalidator> logger, IServiceProvider services) : IHostedService
{
    private static readonly RedisChannel Channel = RedisChannel.Literal("community:cache-invalidate");
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private readonly IConnectionMultiplexer? _redis = services.GetService<IConnectionMultiplexer>();

    public async Task InvalidateAsync(IReadOnlyCollection<string> tags, CancellationToken ct = default)
    {
        if (tags.Count == 0) return;
        await cache.RemoveByTagAsync(tags, ct);
        if (_redis is null) return;
        try
        {
            await _redis.GetSubscriber().PublishAsync(Channel, $"{_instance}\n{string.Join('\n', tags)}");
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // The write has committed; other instances fall back to the short in-process expiry.
            logger.LogWarning(e, "Could not publish cache invalidation for {Tags}", string.Join(",", tags));
        }
    }

    public Task InvalidateAsync(params string[] tags) => InvalidateAsync((IReadOnlyCollection<string>)tags);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_redis is null) return;
        try
        {
            await _redis.GetSubscriber().SubscribeAsync(Channel, (channel, message) =>
            {
                var lines = message.ToString().Split('\n');
                if (lines[0] == _instance) return; // our own, already applied
                _ = cache.RemoveByTagAsync(lines[1..]).AsTask();
            });
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning(e, "Redis is unreachable; cache invalidations from other instances will not arrive until restart");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Cache tag names, in one place so writers and readers agree.</summary>
public static class CacheTags
{
    public static string Community(long id) => $"community:{id}";
    public static string Member(long communityId, long hubUserId) => $"member:{communityId}:{hubUserId}";
    public static string User(long hubUserId) => $"user:{hubUserId}";
    public static string Identity(string platform, string platformUserId) => $"identity:{platform}:{platformUserId}";
    public static string PlatformCommunity(string platform, string platformCommunityId) => $"platform:{platform}:{platformCommunityId}";
    public static string Settings(long communityId) => $"settings:{communityId}";
}
