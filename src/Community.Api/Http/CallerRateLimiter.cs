using System.Threading.RateLimiting;
using Community.Api.Auth;
using RedisRateLimiting;
using StackExchange.Redis;

namespace Community.Api.Http;

/// <summary>
/// Per-caller fixed windows, one per service key, hub user or anonymous address and policy. With Redis a window is
/// counted in Redis by <c>RedisRateLimiting</c> (one atomic script per request), so its limit holds across all instances
/// together. Without Redis, and while Redis cannot be reached, each instance counts on its own: the limit then holds
/// per instance, never lapses and never refuses callers who are within it. After a Redis failure the instance counts
/// locally for <see cref="LocalAfterFailure"/> before it tries Redis again.
/// </summary>
public sealed class CallerRateLimiter(IConnectionMultiplexer? redis, string keyPrefix, ILogger<CallerRateLimiter> logger)
{
    public static readonly TimeSpan LocalAfterFailure = TimeSpan.FromSeconds(5);

    private long _localUntil;

    /// <summary>The window of the caller of <paramref name="context"/> under <paramref name="policy"/>.</summary>
    public RateLimitPartition<string> Partition(HttpContext context, string policy, int permits, TimeSpan window) =>
        RateLimitPartition.Get($"{policy}:{KeyOf(context)}", key => new Window(this, redis, $"{keyPrefix}{key}", permits, window));

    /// <summary>Whose window a request counts against.</summary>
    public static string KeyOf(HttpContext context) => Caller.From(context.User)?.Key ?? $"ip:{context.Connection.RemoteIpAddress}";

    private bool Shared => redis is { IsConnected: true } && Environment.TickCount64 >= Interlocked.Read(ref _localUntil);

    private void Failed(Exception e)
    {
        Interlocked.Exchange(ref _localUntil, Environment.TickCount64 + (long)LocalAfterFailure.TotalMilliseconds);
        logger.LogWarning("Rate limits cannot be counted in Redis ({Error}); this instance limits callers on its own for now", e.Message);
    }

    /// <summary>One caller's window: in Redis while it can be reached, else in this instance.</summary>
    private sealed class Window : RateLimiter
    {
        private readonly CallerRateLimiter _owner;
        private readonly FixedWindowRateLimiter _local;
        private readonly RedisFixedWindowRateLimiter<string>? _shared;

        public Window(CallerRateLimiter owner, IConnectionMultiplexer? redis, string redisKey, int permits, TimeSpan window)
        {
            _owner = owner;
            _local = new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 });
            if (redis is { } multiplexer)
                _shared = new RedisFixedWindowRateLimiter<string>(redisKey,
                    new RedisFixedWindowRateLimiterOptions { ConnectionMultiplexerFactory = () => multiplexer, PermitLimit = permits, Window = window });
        }

        private bool Shared => _shared is not null && _owner.Shared;

        // Idle while this instance counts nothing: the window then lives in Redis, or has nothing to remember.
        public override TimeSpan? IdleDuration => _local.IdleDuration;

        public override RateLimiterStatistics? GetStatistics() => _local.GetStatistics();

        // Redis cannot decide without a round trip: a lease that is not acquired sends the middleware on to AcquireAsync.
        protected override RateLimitLease AttemptAcquireCore(int permitCount) => Shared ? NotDecided.Instance : _local.AttemptAcquire(permitCount);

        protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
        {
            if (Shared)
            {
                try
                {
                    return await _shared!.AcquireAsync(permitCount, cancellationToken);
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    _owner.Failed(e);
                }
            }
            return await _local.AcquireAsync(permitCount, cancellationToken);
        }

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
