using Community.Api.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Community.Api.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL primary and a real streaming replica of it (<c>pg_basebackup -R</c>), both throwaway clusters started
/// from the machine's binaries as the <c>postgres</c> user, with one migrated database. The replica can be stopped and
/// started, and its replay paused, so tests can make it lag or vanish. Skipped without binaries unless
/// <c>REQUIRE_POSTGRES=1</c>.
/// </summary>
public sealed class ReplicatedPostgres : IAsyncDisposable
{
    private const string Database = "community";
    private readonly string _bin;
    private readonly string _root;
    private readonly bool _asRoot = Environment.UserName == "root";

    private ReplicatedPostgres(string bin, string root)
    {
        _bin = bin;
        _root = root;
    }

    public int PrimaryPort { get; private set; }
    public int ReplicaPort { get; private set; }
    public string PrimaryUrl => $"postgresql://postgres@127.0.0.1:{PrimaryPort}/{Database}";
    public string ReplicaUrl => $"postgresql://postgres@127.0.0.1:{ReplicaPort}/{Database}";
    private string PrimaryDirectory => Path.Combine(_root, "primary");
    private string ReplicaDirectory => Path.Combine(_root, "replica");

    /// <summary>Starts the pair, or returns the reason it cannot run here.</summary>
    public static async Task<(ReplicatedPostgres? Pair, string? SkipReason)> StartAsync()
    {
        var bin = PostgresServer.FindBinaries("pg_basebackup");
        if (bin is null)
        {
            const string reason = "No PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) found; replica tests skipped.";
            if (Environment.GetEnvironmentVariable("REQUIRE_POSTGRES") == "1") throw new InvalidOperationException(reason);
            return (null, reason);
        }
        var root = Path.Combine(Path.GetTempPath(), $"community-tests-replica-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        var pair = new ReplicatedPostgres(bin, root);
        await pair.StartPairAsync();
        return (pair, null);
    }

    private async Task StartPairAsync()
    {
        if (_asRoot) await PostgresServer.RunAsync("chown", $"postgres {_root}");
        PrimaryPort = PostgresServer.FreePort();
        await Run("initdb", $"-D {PrimaryDirectory} -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8");
        // initdb's pg_hba.conf already trusts replication connections from 127.0.0.1.
        await Run("pg_ctl", $"-D {PrimaryDirectory} -w -l {PrimaryDirectory}/server.log -o \"-c listen_addresses=127.0.0.1 -p {PrimaryPort} -k {PrimaryDirectory} -c fsync=off -c full_page_writes=off -c wal_level=replica -c max_wal_senders=4 -c max_connections=200\" start");
        await using (var admin = new NpgsqlConnection($"Host=127.0.0.1;Port={PrimaryPort};Username=postgres;Database=postgres;Pooling=false"))
        {
            await admin.OpenAsync();
            await new NpgsqlCommand($"CREATE DATABASE {Database}", admin).ExecuteNonQueryAsync();
        }
        var options = (DbContextOptions<PostgresCommunityDb>)DatabaseSetup.UsePostgres(new DbContextOptionsBuilder<PostgresCommunityDb>(),
            $"Host=127.0.0.1;Port={PrimaryPort};Username=postgres;Database={Database};Pooling=false").Options;
        await using (var db = new PostgresCommunityDb(options)) await db.Database.MigrateAsync();

        ReplicaPort = PostgresServer.FreePort();
        await Run("pg_basebackup", $"-D {ReplicaDirectory} -R -X stream --checkpoint=fast --no-sync -h 127.0.0.1 -p {PrimaryPort} -U postgres");
        await StartReplicaAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
    }

    /// <summary>Starts the replica (again); returns once it accepts read-only connections.</summary>
    public Task StartReplicaAsync() =>
        Run("pg_ctl", $"-D {ReplicaDirectory} -w -l {ReplicaDirectory}/server.log -o \"-c listen_addresses=127.0.0.1 -p {ReplicaPort} -k {ReplicaDirectory} -c fsync=off -c hot_standby=on -c max_connections=200\" start");

    /// <summary>Stops the replica as an operator would (fast shutdown: sessions are ended).</summary>
    public Task StopReplicaAsync() => Run("pg_ctl", $"-D {ReplicaDirectory} -w -m fast stop");

    /// <summary>The replica keeps receiving WAL but applies none of it until <see cref="ResumeReplayAsync"/>: it lags.</summary>
    public Task PauseReplayAsync() => OnReplicaAsync("SELECT pg_wal_replay_pause()");

    public Task ResumeReplayAsync() => OnReplicaAsync("SELECT pg_wal_replay_resume()");

    /// <summary>Index and sequential scans of <paramref name="table"/> the replica has served (its own statistics).</summary>
    public async Task<long> ReplicaScansAsync(string table)
    {
        await using var connection = new NpgsqlConnection(Connection(ReplicaPort));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = @table", connection);
        command.Parameters.AddWithValue("table", table);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Waits until the replica has replayed everything the primary has written so far.</summary>
    public async Task CaughtUpAsync(TimeSpan bound)
    {
        string target;
        await using (var primary = new NpgsqlConnection(Connection(PrimaryPort)))
        {
            await primary.OpenAsync();
            target = (string)(await new NpgsqlCommand("SELECT pg_current_wal_insert_lsn()::text", primary).ExecuteScalarAsync())!;
        }
        var giveUp = DateTime.UtcNow + bound;
        while (true)
        {
            await using var replica = new NpgsqlConnection(Connection(ReplicaPort));
            await replica.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT pg_last_wal_replay_lsn() >= @target::pg_lsn", replica);
            command.Parameters.AddWithValue("target", target);
            if ((bool)(await command.ExecuteScalarAsync())!) return;
            if (DateTime.UtcNow > giveUp) throw new TimeoutException($"The replica did not replay up to {target} within {bound}.");
            await Task.Delay(50);
        }
    }

    private async Task OnReplicaAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Connection(ReplicaPort));
        await connection.OpenAsync();
        await new NpgsqlCommand(sql, connection).ExecuteNonQueryAsync();
    }

    // Unpooled: a stopped server must not leave broken connections in the tests' own pool.
    private static string Connection(int port) => $"Host=127.0.0.1;Port={port};Username=postgres;Database={Database};Pooling=false";

    private Task Run(string program, string arguments) => PostgresServer.RunAsync(Path.Combine(_bin, program), arguments, _asRoot);

    private void StopAll()
    {
        foreach (var directory in new[] { ReplicaDirectory, PrimaryDirectory })
            try { Run("pg_ctl", $"-D {directory} -m immediate stop").GetAwaiter().GetResult(); }
            catch (InvalidOperationException) { } // already stopped
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
    }

    public ValueTask DisposeAsync()
    {
        StopAll();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The service on the primary of a <see cref="ReplicatedPostgres"/> pair, its replica as <c>DATABASE_READ_URL</c>.</summary>
public class ReplicatedPostgresApp : TestApp
{
    public const double MaxLagSeconds = 5;

    private ReplicatedPostgres? _pair;

    public override string Provider => "postgres";

    public ReplicatedPostgres Pair => _pair ?? throw new InvalidOperationException(SkipReason ?? "The replicated pair did not start.");

    protected internal override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["DATABASE_READ_URL"] = _pair?.ReplicaUrl,
        ["ReadReplica:MaxLagSeconds"] = MaxLagSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["ReadReplica:PollIntervalMilliseconds"] = "200",
    };

    protected override async Task<string?> CreateDatabaseAsync()
    {
        (_pair, SkipReason) = await ReplicatedPostgres.StartAsync();
        return _pair?.PrimaryUrl;
    }

    public override Task MakeDatabaseUnreachableAsync() => throw new NotSupportedException();

    protected override async Task DropDatabaseAsync()
    {
        if (_pair is not null) await _pair.DisposeAsync();
    }
}
