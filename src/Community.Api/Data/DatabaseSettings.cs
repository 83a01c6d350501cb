using Community.Api.Hosting;
using Npgsql;

namespace Community.Api.Data;

public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>
/// Which database to use, read from <c>DATABASE_URL</c> (<c>postgresql://…</c>, <c>postgres://…</c>, <c>sqlite:PATH</c>),
/// else from <c>ConnectionStrings:Community</c> with <c>Database:Provider</c>, else an embedded SQLite file under ./data/.
/// A relative SQLite path is relative to the working directory, as on any command line (<c>dotnet run</c> runs in the
/// project directory; a container in its WORKDIR), not to wherever the application's files are installed.
/// </summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString, string? ReadConnectionString)
{
    public const string DefaultSqlitePath = "data/community.db";

    /// <summary>
    /// A short name for this database (provider, host, port, database or file; never credentials). Instances on the
    /// same database share it, so it namespaces what they share elsewhere: Redis keys and the invalidation channel.
    /// </summary>
    public string Fingerprint
    {
        get
        {
            var identity = Provider == DatabaseProvider.Postgres
                ? new NpgsqlConnectionStringBuilder(ConnectionString) is var pg ? $"pg|{pg.Host}|{pg.Port}|{pg.Database}" : ""
                : $"sqlite|{SqliteFile}";
            return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(identity)))[..12];
        }
    }

    /// <summary>Where the data lives, for operators: the provider and its host, port and database or its file; never credentials.</summary>
    public string Description => Provider == DatabaseProvider.Postgres
        ? new NpgsqlConnectionStringBuilder(ConnectionString) is var pg ? $"PostgreSQL at {pg.Host}:{pg.Port}/{pg.Database}" : ""
        : $"SQLite file {SqliteFile}";

    /// <summary>Whether <see cref="ReadOnlyDb"/>'s connections are multiplexed (see <see cref="ForDirectConnections"/>).</summary>
    public bool MultiplexesReads { get; init; }

    /// <summary>The connection string <see cref="ReadOnlyDb"/> opens on the primary: the primary's, multiplexed when <see cref="MultiplexesReads"/>.</summary>
    public string ReadOnlyDbPrimary => ForReads(ConnectionString)!;

    /// <summary>The connection string <see cref="ReadOnlyDb"/> opens on the replica, if there is one; as <see cref="ReadOnlyDbPrimary"/>.</summary>
    public string? ReadOnlyDbReplica => ForReads(ReadConnectionString);

    private string? ForReads(string? connectionString)
    {
        if (connectionString is null || !MultiplexesReads) return connectionString;
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Multiplexing = true };
        // Npgsql's builder says it contains every keyword it knows; the plain one holds only those the string names.
        if (!new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.ContainsKey("Connection Idle Lifetime"))
            builder.ConnectionIdleLifetime = MultiplexedIdleLifetimeSeconds;
        return builder.ConnectionString;
    }

    /// <summary>
    /// How long the multiplexed read pool waits before it shrinks (Npgsql's default is 300 s). Npgsql samples how many of
    /// a pool's connections are idle every 10 s and, once per idle lifetime, closes the median of those samples. A
    /// multiplexed connection is idle between one batch of statements and the next, so under steady load most of them
    /// are idle at any instant: five minutes after the service started, the pool serving member pages at 32 connections
    /// went from 31 connections to 19, opened 14 new server sessions within the same 10 s and ten more after (each with
    /// its statements to prepare again), and the pages' p99 went from 20–30 ms to 48–79 ms for the next minute. With an
    /// hour the pool still gives connections back after a quiet hour. A lifetime the URL sets is kept.
    /// </summary>
    public const int MultiplexedIdleLifetimeSeconds = 3600;

    /// <summary>The SQLite database file; null on PostgreSQL.</summary>
    public string? SqliteFile => Provider == DatabaseProvider.Sqlite ? new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(ConnectionString).DataSource : null;

    public static DatabaseSettings FromConfiguration(IConfiguration config, string workingDirectory)
    {
        var settings = Read(config, workingDirectory);
        var pooling = config["Database:TransactionPooling"];
        if (string.IsNullOrWhiteSpace(pooling)) return settings.ForDirectConnections();
        if (!bool.TryParse(pooling.Trim(), out var behindPooler))
            throw new StartupConfigurationException($"Database:TransactionPooling must be true or false, not '{pooling}'.");
        return behindPooler ? settings.ForTransactionPooler() : settings.ForDirectConnections();
    }

    /// <summary>How many statements each PostgreSQL connection keeps prepared (the service runs fewer distinct ones).</summary>
    public const int PreparedStatementsPerConnection = 128;

    /// <summary>
    /// Connected to PostgreSQL itself (or through a pooler in session mode), a pooled connection is the same server
    /// session from one request to the next, so Npgsql may keep what makes a repeated query cheap: it prepares each
    /// statement once it has run a few times (<c>Max Auto Prepare</c>; the server then skips parsing and planning), and
    /// it does not reset the session when a request returns the connection (<c>No Reset On Close</c>: the service keeps
    /// no session state, no SET, temporary tables or session advisory locks, so the reset would only cost the server
    /// work on every request). A <c>Max Auto Prepare</c> the URL sets is kept.
    /// <para>
    /// The lag-tolerant reads (<see cref="ReadOnlyDb"/>) are also multiplexed: each is one statement outside any
    /// transaction, so Npgsql may write the statements waiting at that moment to a connection in one send and read their
    /// results back with one loop per connection, instead of one connection, one send and one receive per request. Member
    /// page 2 at 1 M members, alternating builds, nine rounds: +11–44 % pages a second, 1–19 % less CPU per page, the
    /// p99 moving both ways. Writes, and everything read inside or beside them on <see cref="CommunityDb"/>, keep
    /// connections of their own: a transaction would hold a multiplexed connection for itself anyway.
    /// </para>
    /// </summary>
    public DatabaseSettings ForDirectConnections()
    {
        if (Provider != DatabaseProvider.Postgres) return this;
        return this with { ConnectionString = Reused(ConnectionString)!, ReadConnectionString = Reused(ReadConnectionString), MultiplexesReads = true };

        static string? Reused(string? connectionString)
        {
            if (connectionString is null) return null;
            var builder = new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true };
            if (builder.MaxAutoPrepare == 0) builder.MaxAutoPrepare = PreparedStatementsPerConnection;
            return builder.ConnectionString;
        }
    }

    /// <summary>
    /// Behind a pooler in transaction mode (PgBouncer before 1.21) a connection keeps nothing from one transaction to the
    /// next: each may land on another server connection. So Npgsql must neither prepare statements (a statement prepared
    /// on one server connection is unknown on the next; <c>Max Auto Prepare=0</c> wins over any value the URL or a later
    /// default sets) nor reset session state when a connection returns to its pool (<c>No Reset On Close</c>: the
    /// <c>DISCARD ALL</c> would run on whichever server connection the pooler picks, and there is no session state to reset).
    /// </summary>
    public DatabaseSettings ForTransactionPooler()
    {
        if (Provider != DatabaseProvider.Postgres)
            throw new StartupConfigurationException("Database:TransactionPooling applies to PostgreSQL; DATABASE_URL names SQLite.");
        return this with
        {
            ConnectionString = WithoutSessionState(ConnectionString)!,
            ReadConnectionString = WithoutSessionState(ReadConnectionString),
            MultiplexesReads = false, // the pooler, not Npgsql, decides which server connection runs each statement
        };

        static string? WithoutSessionState(string? connectionString) => connectionString is null ? null
            : new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 0, NoResetOnClose = true }.ConnectionString;
    }

    private static DatabaseSettings Read(IConfiguration config, string workingDirectory)
    {
        var readUrl = config["DATABASE_READ_URL"];
        string? read = string.IsNullOrWhiteSpace(readUrl) ? null : ParsePostgresUrl(readUrl, "DATABASE_READ_URL");

        var url = config["DATABASE_URL"];
        if (!string.IsNullOrWhiteSpace(url))
            return FromUrl(url.Trim(), workingDirectory) with { ReadConnectionString = read };

        var connectionString = config.GetConnectionString("Community");
        var provider = config["Database:Provider"];
        if (string.IsNullOrWhiteSpace(connectionString))
            return new(DatabaseProvider.Sqlite, SqliteConnectionString(DefaultSqlitePath, workingDirectory), read);

        return provider?.Trim().ToLowerInvariant() switch
        {
            "postgres" or "postgresql" or "npgsql" => new(DatabaseProvider.Postgres, connectionString, read),
            "sqlite" or null or "" => new(DatabaseProvider.Sqlite, connectionString, read),
            _ => throw new StartupConfigurationException(
                $"Database:Provider must be 'postgres' or 'sqlite', not '{provider}'."),
        };
    }

    private static DatabaseSettings FromUrl(string url, string workingDirectory)
    {
        if (url.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var path = url["sqlite:".Length..];
            if (path.StartsWith("//")) path = path[2..]; // sqlite:///abs/path and sqlite://rel/path
            if (string.IsNullOrWhiteSpace(path))
                throw new StartupConfigurationException("DATABASE_URL 'sqlite:' needs a file path, for example sqlite:data/community.db.");
            return new(DatabaseProvider.Sqlite, SqliteConnectionString(path, workingDirectory), null);
        }
        return new(DatabaseProvider.Postgres, ParsePostgresUrl(url, "DATABASE_URL"), null);
    }

    private static string SqliteConnectionString(string path, string workingDirectory)
    {
        var fullPath = Path.GetFullPath(path, workingDirectory);
        var directory = Path.GetDirectoryName(fullPath);
        try
        {
            if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupConfigurationException(
                $"The SQLite file {fullPath} cannot be created: its directory {directory} cannot be made ({e.Message.TrimEnd('.')}); point DATABASE_URL at a writable directory, as in sqlite:data/community.db.");
        }
        // Shared cache off and pooling on: each connection is its own; WAL (set by migrations) lets readers run beside the writer.
        return $"Data Source={fullPath};Pooling=True;Default Timeout=30";
    }

    /// <summary>Turns <c>postgresql://user:pass@host:port/db?sslmode=require</c> into an Npgsql connection string.</summary>
    private static string ParsePostgresUrl(string url, string variable)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgresql" or "postgres"))
            throw new StartupConfigurationException(
                $"{variable} must look like postgresql://user:password@host:5432/database or sqlite:path/to/file.db; the value given could not be read as either.");
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (string.IsNullOrEmpty(uri.Host) || string.IsNullOrEmpty(database))
            throw new StartupConfigurationException($"{variable} must name both a host and a database, as in postgresql://user:password@host:5432/database.");

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = database,
        };
        var userInfo = uri.UserInfo.Split(':', 2);
        if (userInfo[0].Length > 0) builder.Username = Uri.UnescapeDataString(userInfo[0]);
        if (userInfo.Length == 2) builder.Password = Uri.UnescapeDataString(userInfo[1]);

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            var name = Uri.UnescapeDataString(parts[0]);
            var value = parts.Length == 2 ? Uri.UnescapeDataString(parts[1]) : "";
            try
            {
                builder[name switch { "sslmode" => "SSL Mode", "application_name" => "Application Name", "connect_timeout" => "Timeout", _ => name }] = value;
            }
            catch (ArgumentException)
            {
                throw new StartupConfigurationException($"{variable} has a query parameter '{name}' that PostgreSQL connections do not know.");
            }
        }
        return builder.ConnectionString;
    }
}
