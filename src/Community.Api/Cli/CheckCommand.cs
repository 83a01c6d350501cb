using System.CommandLine;
using Community.Api.Auth;
using Community.Api.Data;
using Community.Api.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Community.Api.Cli;

/// <summary>
/// <c>check</c>: everything start-up would refuse, without serving. The configuration goes through the very code that
/// serving uses; then the database is reached (and Redis when REDIS_URL is set). The first problem is one sentence and
/// exit code 1; otherwise a short summary and 0.
/// </summary>
internal static class CheckCommand
{
    /// <summary>
    /// How long reaching the database may take. A cold process spends part of it building its data source and JIT
    /// compiling, which a busy host (a node running a rollout) can stretch to several seconds.
    /// </summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static Command Create()
    {
        var command = new Command("check", "Validate the configuration and reach the database (and Redis when REDIS_URL is set); exit 1 with the reason on the first problem.");
        command.SetAction(OperatorCommandLine.Guard("check", RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult _, string[] configuration, CancellationToken ct)
    {
        await using var app = Program.BuildService(configuration, builder => builder.Logging.ClearProviders());
        app.Services.GetService<IStartupValidator>()?.Validate(); // the options start-up validates (ValidateOnStart)

        var database = await DatabaseAsync(app.Services, ct);
        var redis = await RedisAsync(app.Services, app.Configuration["REDIS_URL"]);

        var auth = app.Services.GetRequiredService<IOptions<AuthOptions>>().Value;
        var previousKeys = (app.Configuration["ENCRYPTION_PREVIOUS_KEYS"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Length;
        Console.WriteLine($"{ServiceInfo.Module} {ServiceInfo.Version}: configuration is valid for the {app.Environment.EnvironmentName} environment.");
        Console.WriteLine($"  database:   {database}");
        Console.WriteLine($"  redis:      {redis}");
        Console.WriteLine($"  auth:       {auth.ApiKeys.Count} service key(s){(auth.ApiKeys.Count > 0 ? $" ({string.Join(", ", auth.ApiKeys.Select(k => k.Name))})" : "")}, Hub tokens {(string.IsNullOrEmpty(auth.Jwt.Secret) ? "off" : "on")}");
        Console.WriteLine($"  encryption: ENCRYPTION_KEY set, {previousKeys} previous key(s)");
        Console.WriteLine($"  listens on: {app.Configuration["urls"]}"); // MODULE_PORT, or --urls / ASPNETCORE_URLS when given
        return 0;
    }

    private static async Task<string> DatabaseAsync(IServiceProvider services, CancellationToken ct)
    {
        var settings = services.GetRequiredService<DatabaseSettings>();
        // Opening a missing SQLite file would create it; a check leaves no trace. Start-up or `migrate` creates it.
        if (settings.SqliteFile is { } file && !File.Exists(file))
            return $"{settings.Description} does not exist yet; start-up or `migrate` creates it";

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CommunityDb>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        int pending;
        try
        {
            // Only reaching the database is bounded: building the model for the migrations query is local work,
            // which a loaded machine can slow past any network bound (the command timeout still bounds the query).
            await db.Database.OpenConnectionAsync(timeout.Token);
            pending = (await db.Database.GetPendingMigrationsAsync(ct)).Count();
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            var reason = e is OperationCanceledException ? $"no answer within {Timeout.TotalSeconds:0} s" : e.GetBaseException().Message.TrimEnd('.');
            throw new StartupConfigurationException(
                $"The database ({settings.Description}) cannot be reached ({reason}); check DATABASE_URL and that the database server is running.");
        }
        return pending == 0
            ? $"{settings.Description}, reachable, schema up to date"
            : $"{settings.Description}, reachable, {pending} migration(s) pending (applied at start-up or by `migrate`)";
    }

    private static async Task<string> RedisAsync(IServiceProvider services, string? url)
    {
        if (services.GetService<IConnectionMultiplexer>() is not { } redis) return "not configured (in-process cache only)";
        var endpoint = CacheEndpoint(url);
        try
        {
            var latency = await redis.GetDatabase().PingAsync();
            return $"{endpoint}, reachable ({latency.TotalMilliseconds:0} ms)";
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // The client's own message is a page of diagnostics; its failure type says what went wrong.
            var reason = e is RedisConnectionException connection ? connection.FailureType.ToString() : e.GetType().Name;
            throw new StartupConfigurationException($"Redis at {endpoint} cannot be reached ({reason}); check REDIS_URL and that Redis is running.");
        }
    }

    /// <summary>Host and port of REDIS_URL, without its password.</summary>
    private static string CacheEndpoint(string? url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Host}:{(uri.IsDefaultPort || uri.Port <= 0 ? 6379 : uri.Port)}" : "REDIS_URL";
}
