using Community.Api.Data;
using Community.Api.Hosting;
using Community.Api.Operations;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Community.Api.Relay;

/// <summary>
/// Runs <see cref="OutboxRelay"/> on every instance: a commit here wakes it (<see cref="RelayWakeOnCommit"/>), and it
/// polls every <c>Relay:PollIntervalMilliseconds</c> for events written by other instances. While Redis or the database
/// is away it keeps trying at that interval; the position it resumes from is the stored one, never one in memory.
/// While an older transaction holds committed events above the horizon it looks again within 250 ms.
/// </summary>
public sealed class StreamRelay(
    IServiceScopeFactory scopes, IConnectionMultiplexer redis, IOptions<RelayOptions> options, TimeProvider clock, ILogger<StreamRelay> logger)
    : BackgroundService
{
    /// <summary>The shortest pause between two cycles, however often commits wake the relay.</summary>
    private static readonly TimeSpan LeastPause = TimeSpan.FromMilliseconds(20);

    /// <summary>How long a cycle waits on an instance that holds the position, before leaving the events to it.</summary>
    private static readonly TimeSpan BusyPause = TimeSpan.FromMilliseconds(50);

    private const int BusyTries = 20;

    /// <summary>
    /// How soon a cycle runs again when an older transaction held committed events above the horizon. The horizon is
    /// cluster-wide on PostgreSQL, so any database's transaction can hold it back, and no commit here wakes the relay
    /// when it ends.
    /// </summary>
    private static readonly TimeSpan HeldBackRetry = TimeSpan.FromMilliseconds(250);

    private readonly RelayOptions _options = options.Value;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private bool _positionMade;
    private bool _heldBack;

    /// <summary>Why the last attempt to append failed on Redis; null once an append (or a check with nothing to append) works.</summary>
    public string? RedisFailure { get; private set; }

    public string StreamKey => _options.StreamKey;

    /// <summary>Starts the next cycle now instead of after the poll interval; wakes that arrive during a cycle run one more.</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
            try { _wake.Release(); }
            catch (SemaphoreFullException) { } // another wake got there first: one is enough
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMilliseconds(_options.PollIntervalMilliseconds);
        logger.LogInformation("Relaying committed events to the Redis stream {Stream}", StreamKey);
        var databaseFailing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
                if (databaseFailing) logger.LogInformation("The relay reaches the database again");
                databaseFailing = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return; // an append whose position was not stored is appended again by the next start
            }
            catch (Exception e) when (DbErrors.IsUnavailable(e))
            {
                if (!databaseFailing) logger.LogWarning("The relay cannot reach the database; retrying every poll interval ({Error})", e.Message);
                databaseFailing = true;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Relay cycle failed; trying again after the poll interval");
            }
            try
            {
                await Task.Delay(LeastPause, stoppingToken);
                await _wake.WaitAsync(_heldBack ? HeldBackRetry : interval, stoppingToken);
            }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>One cycle: append until nothing is left below the horizon, then refresh the lag gauges. Returns how many events it appended.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CommunityDb>();
        if (!_positionMade)
        {
            await OutboxRelay.EnsurePositionAsync(db, StreamKey, clock.UtcNow(), ct);
            _positionMade = true;
        }

        var appended = 0;
        _heldBack = false;
        for (var busy = 0; busy < BusyTries;)
        {
            RelayStep step;
            int count;
            try
            {
                (step, count) = await OutboxRelay.StepAsync(db, redis.GetDatabase(), StreamKey, _options, clock.UtcNow(), ct);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                if (RedisFailure is null)
                    logger.LogWarning("The relay cannot append to Redis; the events wait in the database and go out once it answers ({Error})", e.Message);
                RedisFailure = e.Message;
                break;
            }
            if (RedisFailure is not null && step == RelayStep.Relayed)
            {
                logger.LogInformation("The relay appends to Redis again");
                RedisFailure = null;
            }
            appended += count;
            ServiceMetrics.RelayAppended.WithLabels(StreamKey).Inc(count);
            if (step is RelayStep.Idle or RelayStep.HeldBack)
            {
                _heldBack = step == RelayStep.HeldBack;
                if (RedisFailure is not null) await RecheckRedisAsync();
                break;
            }
            if (step == RelayStep.Busy)
            {
                busy++;
                await Task.Delay(BusyPause, ct);
            }
        }

        var lag = await OutboxRelay.LagAsync(db, StreamKey, clock.UtcNow(), ct);
        ServiceMetrics.RelayLagEvents.WithLabels(StreamKey).Set(lag.Events);
        ServiceMetrics.RelayLagSeconds.WithLabels(StreamKey).Set(lag.Seconds);
        return appended;
    }

    /// <summary>With nothing to append, only a round trip can tell that Redis is back.</summary>
    private async Task RecheckRedisAsync()
    {
        try
        {
            await redis.GetDatabase().PingAsync();
            logger.LogInformation("The relay reaches Redis again");
            RedisFailure = null;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            RedisFailure = e.Message;
        }
    }
}
