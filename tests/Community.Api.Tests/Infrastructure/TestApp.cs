using System.Net.Http.Headers;
using Community.Api.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Api.Tests.Infrastructure;

/// <summary>
/// The service, hosted in-process on its own fresh database, with test credentials and a movable clock.
/// One instance per test class (a class fixture); <see cref="SqliteApp"/> and <see cref="PostgresApp"/> pick the database.
/// </summary>
public abstract class TestApp : IAsyncLifetime
{
    private WebApplicationFactory<Program>? _factory;

    public TestClock Clock { get; } = new();
    public CapturedLogs Logs { get; } = new();
    public string DatabaseUrl { get; private set; } = "";

    /// <summary>Set when this provider cannot run here; tests then skip with this reason.</summary>
    public string? SkipReason { get; protected set; }

    public abstract string Provider { get; }

    /// <summary>Configuration that comes with how the database is reached (for example through PgBouncer); applied before <see cref="Settings"/>.</summary>
    protected internal virtual IReadOnlyDictionary<string, string?> ConnectionSettings => new Dictionary<string, string?>();

    /// <summary>Extra configuration for a test class that needs it (for example rate limits or tier limits).</summary>
    protected internal virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>Extra services for a test class that needs them (for example a test-only EF interceptor).</summary>
    protected virtual void ConfigureServices(IServiceCollection services) { }

    protected abstract Task<string?> CreateDatabaseAsync();

    public abstract Task MakeDatabaseUnreachableAsync();

    public async ValueTask InitializeAsync()
    {
        var url = await CreateDatabaseAsync();
        if (url is null) return;
        DatabaseUrl = url;
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(ConfigureHost);
        _ = _factory.Server; // start now: migrations run here, not in the first test
    }

    private void ConfigureHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("DATABASE_URL", DatabaseUrl);
        builder.UseSetting("ENCRYPTION_KEY", TestKeys.EncryptionKey);
        builder.UseSetting("Auth:Jwt:Secret", TestKeys.JwtSecret);
        builder.UseSetting("RateLimiting:Enabled", "false");
        // The tests share two cores: CPU pressure would make /healthz answer 503 at random. HealthTests checks the CPU warning.
        builder.UseSetting("Health:CpuPercent", "100");
        // Tests drive the webhook dispatcher themselves (RunOnceAsync); the apps that test the loop turn it back on.
        builder.UseSetting("Webhooks:DispatcherEnabled", "false");
        // Likewise retention: a pass in the middle of a test that moved the clock would delete what it checks.
        builder.UseSetting("Retention:Enabled", "false");
        // The heap is the test process's, shared by every app it hosts: HeapCompactorTests drives a compactor itself.
        builder.UseSetting("Memory:CompactionIntervalSeconds", "0");
        for (var i = 0; i < TestKeys.ServiceKeys.Length; i++)
        {
            var (name, key, scopes) = TestKeys.ServiceKeys[i];
            builder.UseSetting($"Auth:ApiKeys:{i}:Name", name);
            builder.UseSetting($"Auth:ApiKeys:{i}:Key", key);
            for (var s = 0; s < scopes.Length; s++) builder.UseSetting($"Auth:ApiKeys:{i}:Scopes:{s}", scopes[s]);
        }
        foreach (var (key, value) in ConnectionSettings.Concat(Settings)) builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            ConfigureServices(services);
        });
    }

    private WebApplicationFactory<Program> Factory =>
        _factory ?? throw new InvalidOperationException(SkipReason ?? "The test app did not start.");

    /// <summary>A client authenticated with a service key (all scopes unless another key is given).</summary>
    public HttpClient Service(string apiKey = TestKeys.Admin)
    {
        var client = NewClient();
        client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        return client;
    }

    /// <summary>A client authenticated as a hub user through a Hub token.</summary>
    public HttpClient User(long hubUserId, bool superAdmin = false)
    {
        var client = NewClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestKeys.UserToken(hubUserId, superAdmin));
        return client;
    }

    public HttpClient Anonymous() => NewClient();

    private readonly Lock _clientsLock = new();

    /// <summary>
    /// The factory keeps every client in a plain list to dispose with it; race tests create clients from many threads at
    /// once, and unguarded adds leave a null in that list, which fails the factory's dispose.
    /// </summary>
    private HttpClient NewClient()
    {
        lock (_clientsLock) return Factory.CreateClient();
    }

    /// <summary>Runs <paramref name="work"/> against the app's database in a fresh scope, as a second client would see it.</summary>
    public async Task<T> Db<T>(Func<CommunityDb, Task<T>> work)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<CommunityDb>());
    }

    public IServiceProvider Services => Factory.Services;

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
        await DropDatabaseAsync();
        GC.SuppressFinalize(this);
    }

    protected virtual Task DropDatabaseAsync() => Task.CompletedTask;
}
