using Community.Api.Data.Replica;
using Community.Api.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Community.Api.Data;

public static class DatabaseSetup
{
    /// <summary>Registers <see cref="CommunityDb"/> on the configured provider.</summary>
    public static DatabaseSettings AddDatabase(this WebApplicationBuilder builder)
    {
        var settings = DatabaseSettings.FromConfiguration(builder.Configuration, Environment.CurrentDirectory);
        builder.Services.AddSingleton(settings);
        // Interceptors registered as IInterceptor (event metrics; tests add their own) apply to every context.
        if (settings.Provider == DatabaseProvider.Postgres)
            builder.Services.AddDbContextPool<CommunityDb, PostgresCommunityDb>((sp, o) =>
                UsePostgres(o, settings.ConnectionString).AddInterceptors(sp.GetServices<IInterceptor>()));
        else
            builder.Services.AddDbContextPool<CommunityDb, SqliteCommunityDb>((sp, o) =>
                UseSqlite(o, settings.ConnectionString).AddInterceptors(sp.GetServices<IInterceptor>()));
        builder.AddReadOnlyDb(settings);
        return settings;
    }

    internal static DbContextOptionsBuilder UsePostgres(DbContextOptionsBuilder options, string connectionString,
        Action<Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.NpgsqlDbContextOptionsBuilder>? npgsql = null) =>
        options.UseNpgsql(connectionString, npgsql).UseSnakeCaseNamingConvention().LogHandledFailuresAtDebug();

    internal static DbContextOptionsBuilder UseSqlite(DbContextOptionsBuilder options, string connectionString)
    {
        SqliteConnectionSetup.ConfigureLibrary();
        return options.UseSqlite(connectionString).UseSnakeCaseNamingConvention().AddInterceptors(SqliteConnectionSetup.Instance).LogHandledFailuresAtDebug();
    }

    /// <summary>
    /// EF Core logs every failed command, commit and save at Error. Here most are outcomes the caller handles: a unique
    /// index deciding a race, a commit refused because the community was deactivated meanwhile (409s, hundreds a second
    /// in a raid), Npgsql asking whether the migrations history table exists on a fresh database. A failure nobody handles
    /// reaches <see cref="Http.ApiExceptionHandler"/> or the worker's own log, which reports it once, with its trace id.
    /// </summary>
    private static DbContextOptionsBuilder LogHandledFailuresAtDebug(this DbContextOptionsBuilder options) =>
        options.ConfigureWarnings(w => w.Log(
            (RelationalEventId.CommandError, LogLevel.Debug),
            (RelationalEventId.TransactionError, LogLevel.Debug),
            (CoreEventId.SaveChangesFailed, LogLevel.Debug)));

    /// <summary>Applies pending migrations; a database that cannot be reached stops start-up with a clear message.</summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CommunityDb>();
        var logger = services.GetRequiredService<ILogger<CommunityDb>>();
        try
        {
            await db.Database.MigrateAsync(cancellationToken);
            if (!db.IsPostgres)
            {
                // WAL lets readers run beside the single SQLite writer; the setting is stored in the file.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
                logger.LogDebug("SQLite memory statistics are {State}", SqliteConnectionSetup.ConfigureLibrary() ? "off" : "on");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError("Applying database migrations failed: {Reason}", e.GetBaseException().Message);
            logger.LogDebug(e, "Applying database migrations failed");
            throw new StartupConfigurationException(
                $"The database could not be prepared ({e.GetBaseException().Message.TrimEnd('.')}); check DATABASE_URL and that the database server is reachable.");
        }
        logger.LogInformation("Database schema is up to date ({Provider})", db.Database.ProviderName);
    }
}

/// <summary>Lets <c>dotnet ef</c> build the PostgreSQL model without a running server.</summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresCommunityDb>
{
    public PostgresCommunityDb CreateDbContext(string[] args) =>
        new((DbContextOptions<PostgresCommunityDb>)DatabaseSetup
            .UsePostgres(new DbContextOptionsBuilder<PostgresCommunityDb>(), "Host=localhost;Database=design").Options);
}

/// <summary>Lets <c>dotnet ef</c> build the SQLite model.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteCommunityDb>
{
    public SqliteCommunityDb CreateDbContext(string[] args) =>
        new((DbContextOptions<SqliteCommunityDb>)DatabaseSetup
            .UseSqlite(new DbContextOptionsBuilder<SqliteCommunityDb>(), "Data Source=design.db").Options);
}
