using Microsoft.Data.Sqlite;

namespace Community.Api.Tests.Infrastructure;

/// <summary>The service on a fresh SQLite file.</summary>
public class SqliteApp : TestApp
{
    private string _path = "";

    public override string Provider => "sqlite";

    protected override Task<string?> CreateDatabaseAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "community-tests");
        Directory.CreateDirectory(directory);
        _path = Path.Combine(directory, $"{Guid.NewGuid():N}.db");
        return Task.FromResult<string?>($"sqlite:{_path}");
    }

    /// <summary>Replaces the database file with garbage: every later query fails as if the disk were gone.</summary>
    public override async Task MakeDatabaseUnreachableAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "-wal", "-shm" }) File.Delete(_path + suffix);
        await File.WriteAllTextAsync(_path, "this is not a database");
    }

    protected override Task DropDatabaseAsync()
    {
        if (_path.Length == 0) return Task.CompletedTask; // skipped (e.g. no Redis for RedisSqliteApp): no file was made
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            try { File.Delete(_path + suffix); } catch (IOException) { }
        return Task.CompletedTask;
    }
}

/// <summary>
/// The service on a fresh database of the shared PostgreSQL server; with <see cref="ThroughPgBouncer"/>, reached through
/// the shared <see cref="PgBouncer"/> in transaction mode, with <c>Database:TransactionPooling</c> on.
/// </summary>
public class PostgresApp : TestApp
{
    public override string Provider => "postgres";

    protected virtual bool ThroughPgBouncer => false;

    protected internal override IReadOnlyDictionary<string, string?> ConnectionSettings => ThroughPgBouncer
        ? new Dictionary<string, string?> { ["Database:TransactionPooling"] = "true" }
        : base.ConnectionSettings;

    protected override async Task<string?> CreateDatabaseAsync()
    {
        var server = await PostgresServer.GetAsync();
        SkipReason = server.SkipReason;
        if (SkipReason is not null) return null;
        if (!ThroughPgBouncer) return await server.CreateDatabaseAsync();
        var bouncer = await PgBouncer.GetAsync();
        SkipReason = bouncer.SkipReason;
        return SkipReason is null ? bouncer.Route(await server.CreateDatabaseAsync()) : null;
    }

    public override async Task MakeDatabaseUnreachableAsync() => await (await PostgresServer.GetAsync()).DropDatabaseAsync(DatabaseUrl);

    protected override async Task DropDatabaseAsync()
    {
        if (SkipReason is null && DatabaseUrl.Length > 0) await (await PostgresServer.GetAsync()).DropDatabaseAsync(DatabaseUrl);
    }
}

/// <summary>The service on a fresh PostgreSQL database behind PgBouncer in transaction pooling mode.</summary>
public class PgBouncerApp : PostgresApp
{
    protected override bool ThroughPgBouncer => true;
}

/// <summary>
/// The service on a fresh PostgreSQL database reached through a <see cref="TcpProxy"/>, so a test can take the
/// database away (<c>Proxy.Cut()</c>) and bring it back (<c>Proxy.Restore()</c>) while the service runs. The test's own
/// reads through <see cref="TestApp.Db{T}"/> go through the proxy too.
/// </summary>
public class ProxiedPostgresApp : PostgresApp
{
    private TcpProxy? _proxy;

    public TcpProxy Proxy => _proxy ?? throw new InvalidOperationException(SkipReason ?? "The proxy did not start.");

    protected override async Task<string?> CreateDatabaseAsync()
    {
        if (await base.CreateDatabaseAsync() is not { } url) return null;
        var direct = new Uri(url);
        _proxy = TcpProxy.Start(direct.Host, direct.Port);
        return new UriBuilder(direct) { Host = "127.0.0.1", Port = _proxy.Port }.Uri.AbsoluteUri;
    }

    protected override async Task DropDatabaseAsync()
    {
        if (_proxy is not null) await _proxy.DisposeAsync();
        await base.DropDatabaseAsync();
    }
}
