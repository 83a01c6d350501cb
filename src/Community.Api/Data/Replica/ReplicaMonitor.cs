using Microsoft.Extensions.Options;
using Npgsql;

namespace Community.Api.Data.Replica;

/// <summary>What the monitor last learnt about the replica.</summary>
public enum ReplicaState { Starting, Serving, Lagging, Unreachable, NotAStandby }

/// <summary>
/// Measures the read replica from this instance, every <c>ReadReplica:PollIntervalMilliseconds</c>: it notes the primary's
/// WAL position with the time it saw it, then asks the replica how far it has replayed. The replica's lag is the age of
/// the oldest noted primary position it has not replayed yet (0 when it has replayed them all): it has everything the
/// primary had that long ago. That needs no clock shared between machines and, unlike
/// <c>now() - pg_last_xact_replay_timestamp()</c>, does not grow while the primary is simply idle.
/// A replica lagging past <c>ReadReplica:MaxLagSeconds</c>, unreachable, not a standby (promoted, or the URL names a
/// primary), or not measured recently is skipped: its reads go to the primary.
/// </summary>
public sealed class ReplicaMonitor : BackgroundService
{
    private readonly ReadReplicaOptions _options;
    private readonly string _primary;
    private readonly string _replica;
    private readonly string _reads;
    private readonly ILogger<ReplicaMonitor> _logger;
    private readonly Queue<(long At, ulong Lsn)> _samples = new();
    private readonly SemaphoreSlim _polling = new(1, 1);
    private volatile Snapshot _now = new(ReplicaState.Starting, 0, null, 0);

    /// <summary>The last measurement: state, replay position, lag (null while unknown) and when it was taken (<see cref="Environment.TickCount64"/>).</summary>
    public sealed record Snapshot(ReplicaState State, ulong ReplayLsn, TimeSpan? Lag, long MeasuredAt);

    public ReplicaMonitor(DatabaseSettings settings, IOptions<ReadReplicaOptions> options, ILogger<ReplicaMonitor> logger)
    {
        _options = options.Value;
        _logger = logger;
        // Short timeouts: a replica that hangs is as good as down, and the monitor must notice within a poll or two.
        _primary = new NpgsqlConnectionStringBuilder(settings.ConnectionString) { Timeout = 3, CommandTimeout = 3 }.ConnectionString;
        _replica = new NpgsqlConnectionStringBuilder(settings.ReadConnectionString) { Timeout = 3, CommandTimeout = 3 }.ConnectionString;
        _reads = settings.ReadOnlyDbReplica!;
    }

    public Snapshot Now => _now;

    /// <summary>
    /// Whether a read that must see the primary's WAL up to <paramref name="requiredLsn"/> may go to the replica now: it is
    /// serving, was measured within two polls, and has replayed that far.
    /// </summary>
    public bool Serves(ulong requiredLsn)
    {
        var now = _now;
        return now.State == ReplicaState.Serving
            && Environment.TickCount64 - now.MeasuredAt <= 2 * _options.PollIntervalMilliseconds + 1000
            && now.ReplayLsn >= requiredLsn;
    }

    /// <summary>A read found the replica gone: skip it from now on, until a poll reaches it again.</summary>
    public void ReportUnreachable()
    {
        ForgetConnections();
        var was = _now;
        _now = was with { State = ReplicaState.Unreachable, MeasuredAt = Environment.TickCount64 };
        if (was.State != ReplicaState.Unreachable)
            _logger.LogWarning("The read replica failed a read; reads go to the primary until it answers again");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await PollAsync(stoppingToken);
            try { await Task.Delay(_options.PollInterval, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>One measurement; public so tests can take one without waiting for the timer.</summary>
    public async Task PollAsync(CancellationToken ct)
    {
        await _polling.WaitAsync(ct);
        try { await MeasureAsync(ct); }
        finally { _polling.Release(); }
    }

    private async Task MeasureAsync(CancellationToken ct)
    {
        var was = _now.State;
        Snapshot next;
        try
        {
            // The primary first: every position noted is then one the replica could already have replayed.
            _samples.Enqueue((Environment.TickCount64, Lsn.Parse(await ScalarAsync(_primary, "SELECT pg_current_wal_insert_lsn()::text", ct) ?? "0/0")));
            while (_samples.Count > 100_000) _samples.Dequeue();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            // The primary cannot be measured, so neither can the lag: skip the replica; the database check reports the primary.
            next = _now with { State = ReplicaState.Unreachable, Lag = null, MeasuredAt = Environment.TickCount64 };
            _now = next;
            if (was != ReplicaState.Unreachable) _logger.LogWarning("The primary's WAL position cannot be read, so the replica's lag is unknown; reads go to the primary");
            return;
        }
        try
        {
            var replay = await ScalarAsync(_replica, "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text END", ct);
            if (replay is null) next = new(ReplicaState.NotAStandby, 0, null, Environment.TickCount64);
            else
            {
                var replayed = Lsn.Parse(replay);
                while (_samples.TryPeek(out var oldest) && oldest.Lsn <= replayed) _samples.Dequeue();
                var lag = _samples.TryPeek(out var behind) ? TimeSpan.FromMilliseconds(Environment.TickCount64 - behind.At) : TimeSpan.Zero;
                next = new(lag <= _options.MaxLag ? ReplicaState.Serving : ReplicaState.Lagging, replayed, lag, Environment.TickCount64);
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or FormatException)
        {
            ForgetConnections();
            next = new(ReplicaState.Unreachable, _now.ReplayLsn, null, Environment.TickCount64);
        }
        _now = next;
        Operations.ServiceMetrics.ReplicaLag.Set(next.Lag?.TotalSeconds ?? -1);
        if (next.State == was) return;
        if (next.State == ReplicaState.Serving) _logger.LogInformation("The read replica serves lag-tolerant reads (lag {Lag})", next.Lag);
        else _logger.LogWarning("The read replica is skipped ({State}, lag {Lag}); its reads go to the primary", next.State, next.Lag);
    }

    /// <summary>Idle pooled connections to a replica that went away are broken: drop them, so its return starts afresh.</summary>
    private void ForgetConnections()
    {
        NpgsqlConnection.ClearPool(new NpgsqlConnection(_replica));
        NpgsqlConnection.ClearPool(new NpgsqlConnection(_reads));
    }

    private static async Task<string?> ScalarAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(ct) as string;
    }
}
