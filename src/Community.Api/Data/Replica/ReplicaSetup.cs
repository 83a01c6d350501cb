using Community.Api.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Options;

namespace Community.Api.Data.Replica;

/// <summary>Registers <see cref="ReadOnlyDb"/>: on the replica named by <c>DATABASE_READ_URL</c> when there is one, else on the primary.</summary>
public static class ReplicaSetup
{
    public static void AddReadOnlyDb(this WebApplicationBuilder builder, DatabaseSettings settings)
    {
        var services = builder.Services;
        services.AddHttpContextAccessor();
        if (settings.ReadConnectionString is null)
        {
            services.AddSingleton(_ => ReadOnlyOptions(settings, o => o.AddInterceptors(PrimaryReads.Instance)));
        }
        else
        {
            if (settings.Provider != DatabaseProvider.Postgres)
                throw new StartupConfigurationException("DATABASE_READ_URL names a PostgreSQL replica, so DATABASE_URL must name its PostgreSQL primary.");
            services.AddCheckedOptions<ReadReplicaOptions>(builder.Configuration, ReadReplicaOptions.Section);
            services.AddSingleton<ReplicaMonitor>();
            services.AddHostedService(sp => sp.GetRequiredService<ReplicaMonitor>());
            services.AddSingleton<WritePositions>();
            services.AddSingleton<ReplicaRouting>();
            services.AddSingleton(sp =>
            {
                var routing = sp.GetRequiredService<ReplicaRouting>();
                return ReadOnlyOptions(settings, o => o.AddInterceptors(routing), npgsql => npgsql.ExecutionStrategy(d => new ReplicaFallbackStrategy(d, routing)));
            });
        }
        // Pooled like CommunityDb: a context made afresh resolves its dozens of internal services at its first query,
        // which profiled at a tenth of the CPU of a member page. Disposing the request's scope returns it to the pool.
        services.AddSingleton(sp => new PooledDbContextFactory<ReadOnlyDb>(sp.GetRequiredService<DbContextOptions<ReadOnlyDb>>()));
        services.AddScoped(sp =>
        {
            var http = sp.GetRequiredService<IHttpContextAccessor>().HttpContext;
            var safe = http is not null && (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method));
            var db = sp.GetRequiredService<PooledDbContextFactory<ReadOnlyDb>>().CreateDbContext();
            db.Session = http is null ? null : new ReadSession(Auth.Caller.From(http.User)?.Key, safe);
            return db;
        });
    }

    /// <summary>Notes each caller's write position after its writes, when a replica serves reads.</summary>
    public static void UseReadYourWrites(this WebApplication app)
    {
        if (app.Services.GetRequiredService<DatabaseSettings>().ReadConnectionString is not null) app.UseMiddleware<ReadYourWrites>();
    }

    private static DbContextOptions<ReadOnlyDb> ReadOnlyOptions(DatabaseSettings settings, Action<DbContextOptionsBuilder> extra,
        Action<Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.NpgsqlDbContextOptionsBuilder>? npgsql = null)
    {
        var builder = new DbContextOptionsBuilder<ReadOnlyDb>();
        if (settings.Provider == DatabaseProvider.Postgres) DatabaseSetup.UsePostgres(builder, settings.ReadOnlyDbPrimary, npgsql);
        else DatabaseSetup.UseSqlite(builder, settings.ReadOnlyDbPrimary);
        builder.UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking);
        // EF's check that no two operations share a context sets an AsyncLocal twice per row read (a new execution
        // context each time): 28 % of a 50-row member page's allocations. A read-only context lives for one request
        // that awaits each read, so there is nothing for the check to find here; the writing context keeps it.
        builder.EnableThreadSafetyChecks(false);
        extra(builder);
        return builder.Options;
    }
}
