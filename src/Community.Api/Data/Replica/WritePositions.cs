using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Community.Api.Data.Replica;

/// <summary>
/// Read-your-writes: where in the primary's WAL each caller's latest write ended, remembered for
/// <see cref="ReadReplicaOptions.WriteMemory"/> (after that any replica still in use has replayed it). A caller's
/// lag-tolerant reads go to the replica only once it has replayed that far.
/// <para>
/// Kept in this instance's memory and, with <c>REDIS_URL</c>, in Redis, so a write through one instance holds for the
/// caller's reads through every other. While Redis cannot be reached, and for <see cref="ReadReplicaOptions.WriteMemory"/>
/// after it comes back (writes made meanwhile on other instances were not recorded), every read goes to the primary.
/// </para>
/// </summary>
public sealed class WritePositions
{
    private const string KeepLargest = """
        local current = redis.call('GET', KEYS[1])
        if not current or current < ARGV[1] then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return 1
        """;

    private readonly ConcurrentDictionary<string, (ulong Lsn, long Until)> _local = new();
    private readonly IConnectionMultiplexer? _redis;
    private readonly string _prefix;
    private readonly TimeSpan _memory;
    private readonly ILogger<WritePositions> _logger;
    private long _redisDoubtfulUntil;

    public WritePositions(DatabaseSettings database, IOptions<ReadReplicaOptions> options, ILogger<WritePositions> logger, IConnectionMultiplexer? redis = null)
    {
        _redis = redis;
        _prefix = $"community:{database.Fingerprint}:wrote:";
        _memory = options.Value.WriteMemory;
        _logger = logger;
        if (redis is null) return;
        // Writes on other instances may have gone unrecorded while this instance could not hear Redis.
        redis.ConnectionFailed += (_, _) => Doubt();
        redis.ConnectionRestored += (_, _) => Doubt();
    }

    /// <summary>Remembers that <paramref name="caller"/> wrote up to <paramref name="lsn"/>.</summary>
    public async Task RecordAsync(string caller, ulong lsn)
    {
        var until = Environment.TickCount64 + (long)_memory.TotalMilliseconds;
        _local.AddOrUpdate(caller, (lsn, until), (_, old) => (Math.Max(old.Lsn, lsn), until));
        if (_local.Count > 10_000) Sweep();
        if (_redis is null) return;
        try
        {
            // Fixed-width hex compares like the number it writes, so Lua keeps the largest with a string comparison.
            await _redis.GetDatabase().ScriptEvaluateAsync(KeepLargest, [(RedisKey)(_prefix + caller)],
                [lsn.ToString("X16", CultureInfo.InvariantCulture), (long)_memory.TotalMilliseconds]);
        }
        catch (RedisException e)
        {
            Doubt();
            _logger.LogWarning("A write position could not be shared through Redis ({Error}); lag-tolerant reads go to the primary for {Seconds} s",
                e.Message, _memory.TotalSeconds);
        }
    }

    /// <summary>
    /// How far the replica must have replayed before <paramref name="caller"/> may read from it: 0 when the caller has
    /// not written lately, <see cref="ulong.MaxValue"/> when that cannot be known (Redis unreachable or lately so).
    /// </summary>
    public async Task<ulong> RequiredAsync(string? caller)
    {
        if (_redis is not null && (Environment.TickCount64 < Interlocked.Read(ref _redisDoubtfulUntil) || !_redis.IsConnected)) return ulong.MaxValue;
        if (caller is null) return 0;
        ulong required = _local.TryGetValue(caller, out var mine) && mine.Until > Environment.TickCount64 ? mine.Lsn : 0;
        if (_redis is null) return required;
        try
        {
            var shared = await _redis.GetDatabase().StringGetAsync(_prefix + caller);
            return shared.HasValue ? Math.Max(required, ulong.Parse(shared.ToString(), NumberStyles.HexNumber, CultureInfo.InvariantCulture)) : required;
        }
        catch (RedisException)
        {
            Doubt();
            return ulong.MaxValue;
        }
    }

    private void Doubt() => Interlocked.Exchange(ref _redisDoubtfulUntil, Environment.TickCount64 + (long)_memory.TotalMilliseconds);

    private void Sweep()
    {
        var now = Environment.TickCount64;
        foreach (var (caller, entry) in _local)
            if (entry.Until <= now) _local.TryRemove(new KeyValuePair<string, (ulong, long)>(caller, entry));
    }
}
