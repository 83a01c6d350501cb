namespace Community.Api.Tests.Infrastructure;

/// <summary>A second instance of the service on the first one's database, with the same settings (e.g. the same Redis).</summary>
public sealed class SecondInstance(TestApp first) : TestApp
{
    public override string Provider => first.Provider;

    protected internal override IReadOnlyDictionary<string, string?> Settings => first.Settings;

    protected override Task<string?> CreateDatabaseAsync() => Task.FromResult<string?>(first.DatabaseUrl);

    public override Task MakeDatabaseUnreachableAsync() => throw new NotSupportedException("The first instance owns the database.");
}

/// <summary>The service on SQLite with a real Redis as its second-level cache and invalidation bus.</summary>
public sealed class RedisSqliteApp : SqliteApp
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
public sealed class RedisPostgresApp : PostgresApp
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
