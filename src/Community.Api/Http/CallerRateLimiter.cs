using System.Threading.RateLimiting;
using Community.Api.Auth;
using RedisRateLimiting;
using StackExchange.Redis;

namespace Community.Api.Http;

/// <summary>
/// The per-caller limit, a fixed window per service key, hub user or anonymous address. With Redis it is counted in
/// Redis by <c>RedisRateLimiting</c> (one atomic script per request), so the limit holds across all instances together.
/// Without Redis, and while Redis cannot be reached, each instance counts on its own: the limit then holds per
/// instance, never lapses and never refuses callers who are within it. After a Redis failure the instance counts
/// locally for <see cref="LocalAfterFailure"/> before it tries Redis again.
/// </summary>
public sealed class CallerRateLimiter : PartitionedRateLimiter<HttpContext>
{
    public static readonly TimeSpan LocalAfterFailure = TimeSpan.FromSeconds(5);

    private readonly PartitionedRateLimiter<HttpContext> _local;
    private readonly PartitionedRateLimiter<HttpContext>? _shared;
    private readonly IConnectionMultiplexer? _redis;
    private readonly ILogger _logger;
    private long _localUntil;

    public CallerRateLimiter(RateLimitOptions options, string keyPrefix, IConnectionMultiplexer? redis, ILogger logger)
    {
        _redis = redis;
        _logger = logger;
        var window = TimeSpan.FromSeconds(options.WindowSeconds);
        _local = PartitionedRateLimiter.Create<HttpContext, string>(context => RateLimitPartition.GetFixedWindowLimiter(KeyOf(context),
            _ => new FixedWindowRateLimiterOptions { PermitLimit = options.PermitLimit, Window = window, QueueLimit = 0 }));
        if (redis is not null)
            _shared = PartitionedRateLimiter.Create<HttpContext, string>(context => RedisRateLimitPartition.GetFixedWindowRateLimiter($"{keyPrefix}{KeyOf(context)}",
                _ => new RedisFixedWindowRateLimiterOptions { ConnectionMultiplexerFactory = () => redis, PermitLimit = options.PermitLimit, Window = window }));
    }

    /// <summary>Whose window a request counts against.</summary>
    public static string KeyOf(HttpContext context) => Caller.From(context.User)?.Key ?? $"ip:{context.Connection.RemoteIpAddress}";

    private bool Shared => _shared is not null && _redis!.IsConnected && Environment.TickCount64 >= Interlocked.Read(ref _localUntil);

    // The Redis limiter cannot decide without a round trip: a lease that is not acquired sends the middleware on to AcquireAsync.
    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount) =>
        Shared ? NotDecided.Instance : _local.AttemptAcquire(resource, permitCount);

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken)
    {
        if (Shared)
        {
            try
            {
                return await _shared!.AcquireAsync(resource, permitCount, cancellationToken);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                Interlocked.Exchange(ref _localUntil, Environment.TickCount64 + (long)LocalAfterFailure.TotalMilliseconds);
                _logger.LogWarning("Rate limits cannot be counted in Redis ({Error}); this instance limits callers on its own for now", e.Message);
            }
        }
        return await _local.AcquireAsync(resource, permitCount, cancellationToken);
    }

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => _local.GetStatistics(resource);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _local.Dispose();
            _shared?.Dispose();
        }
        base.Dispose(disposing);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await _local.DisposeAsync();
        if (_shared is not null) await _shared.DisposeAsync();
    }

    private sealed class NotDecided : RateLimitLease
    {
        public static readonly NotDecided Instance = new();
        public override bool IsAcquired => false;
        public override IEnumerable<string> MetadataNames => [];
        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
