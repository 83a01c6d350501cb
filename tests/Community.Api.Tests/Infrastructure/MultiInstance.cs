namespace Community.Api.Tests.Infrastructure;

/// <summary>
/// A second instance of the service on the first one's database, with the same settings (e.g. the same Redis), except
/// for any <paramref name="changes"/>.
/// </summary>
public sealed class SecondInstance(TestApp first, IReadOnlyDictionary<string, string?>? changes = null) : TestApp
{
    public override string Provider => first.Provider;

    protected internal override IReadOnlyDictionary<string, string?> ConnectionSettings => first.ConnectionSettings;

    protected internal override IReadOnlyDictionary<string, string?> Settings =>
        changes is null ? first.Settings : first.Settings.Concat(changes).GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.Last().Value);

    protected override Task<string?> CreateDatabaseAsync() => Task.FromResult<string?>(first.DatabaseUrl);

    public override Task MakeDatabaseUnreachableAsync() => throw new NotSupportedException("The first instance owns the database.");

    /// <summary>A second instance of <paramref name="first"/>, started (and disposed again when it cannot start).</summary>
    public static async Task<SecondInstance> StartAsync(TestApp first, IReadOnlyDictionary<string, string?>? changes = null)
    {
        var instance = new SecondInstance(first, changes);
        try
        {
            await instance.InitializeAsync();
            return instance;
        }
        catch
        {
            await instance.DisposeAsync();
            throw;
        }
    }
}

/// <summary>The service on SQLite with a real Redis as its second-level cache and invalidation bus.</summary>
public class RedisSqliteApp : SqliteApp
{
    private string? _redis;

    protected internal override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["REDIS_URL"] = _redis };

    protected override async Task<string?> CreateDatabaseAsync()
    {
        var redis = await RedisServer.GetAsync();
        SkipReason = redis.SkipReason;
        _redis = redis.Url;
        return SkipReason is null ? await base.CreateDatabaseAsync() : null;
    }
}

/// <summary>The service on PostgreSQL with a real Redis as its second-level cache and invalidation bus.</summary>
public class RedisPostgresApp : PostgresApp
{
    private string? _redis;

    protected internal override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["REDIS_URL"] = _redis };

    protected override async Task<string?> CreateDatabaseAsync()
    {
        var redis = await RedisServer.GetAsync();
        _redis = redis.Url;
        if (redis.SkipReason is not null)
        {
            SkipReason = redis.SkipReason;
            return null;
        }
        return await base.CreateDatabaseAsync();
    }
}

/// <summary>
/// The service with its Redis reached through a <see cref="TcpProxy"/>, so a test can take Redis away from it (and from
/// a <see cref="SecondInstance"/>, which shares the settings and so the proxy) and bring it back.
/// </summary>
public interface IRedisBehindProxy
{
    TcpProxy RedisProxy { get; }
}

public class RedisProxiedSqliteApp : SqliteApp, IRedisBehindProxy
{
    private TcpProxy? _proxy;

    public TcpProxy RedisProxy => _proxy ?? throw new InvalidOperationException(SkipReason ?? "The proxy did not start.");

    protected internal override IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?> { ["REDIS_URL"] = $"redis://127.0.0.1:{RedisProxy.Port}" };

    protected override async Task<string?> CreateDatabaseAsync()
    {
        var redis = await RedisServer.GetAsync();
        SkipReason = redis.SkipReason;
        if (SkipReason is not null) return null;
        var target = new Uri(redis.Url!);
        _proxy = TcpProxy.Start(target.Host, target.Port);
        return await base.CreateDatabaseAsync();
    }

    protected override async Task DropDatabaseAsync()
    {
        if (_proxy is not null) await _proxy.DisposeAsync();
        await base.DropDatabaseAsync();
    }
}

public class RedisProxiedPostgresApp : PostgresApp, IRedisBehindProxy
{
    private TcpProxy? _proxy;

    public TcpProxy RedisProxy => _proxy ?? throw new InvalidOperationException(SkipReason ?? "The proxy did not start.");

    protected internal override IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?> { ["REDIS_URL"] = $"redis://127.0.0.1:{RedisProxy.Port}" };

    protected override async Task<string?> CreateDatabaseAsync()
    {
        var redis = await RedisServer.GetAsync();
        if (redis.SkipReason is not null)
        {
            SkipReason = redis.SkipReason;
            return null;
        }
        var target = new Uri(redis.Url!);
        _proxy = TcpProxy.Start(target.Host, target.Port);
        return await base.CreateDatabaseAsync();
    }

    protected override async Task DropDatabaseAsync()
    {
        if (_proxy is not null) await _proxy.DisposeAsync();
        await base.DropDatabaseAsync();
    }
}
