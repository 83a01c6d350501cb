using Community.Api.Data;
using Community.Api.Hosting;
using StackExchange.Redis;

namespace Community.Api.Caching;

/// <summary>
/// The in-process <see cref="TaggedCache"/>, kept exact across instances by <see cref="CacheInvalidator"/> over Redis
/// pub/sub when <c>REDIS_URL</c> is set.
/// </summary>
public static class CacheSetup
{
    public static void AddCaching(this WebApplicationBuilder builder, DatabaseSettings database)
    {
        builder.Services.AddSingleton<TaggedCache>();
        var redisUrl = builder.Configuration["REDIS_URL"];
        if (!string.IsNullOrWhiteSpace(redisUrl))
        {
            var options = RedisOptions(redisUrl);
            builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
        }
        // Deployments sharing a Redis never hear each other's invalidations.
        builder.Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<CacheInvalidator>(sp, $"community:{database.Fingerprint}:cache-invalidate"));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CacheInvalidator>());
        builder.Services.AddSingleton<Events.ICommittedEventHandler, InvalidationOnCommit>();
    }

    /// <summary>Reads <c>redis://[:password@]host:port[/db]</c> (or <c>rediss://</c> for TLS).</summary>
    internal static ConfigurationOptions RedisOptions(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss") || string.IsNullOrEmpty(uri.Host))
            throw new StartupConfigurationException("REDIS_URL must look like redis://host:6379 (or rediss:// for TLS).");
        var options = new ConfigurationOptions
        {
            EndPoints = { { uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? 6379 : uri.Port } },
            Ssl = uri.Scheme == "rediss",
            AbortOnConnectFail = false, // start even while Redis is down; the cache degrades to in-process
            BacklogPolicy = BacklogPolicy.FailFast, // while it is down, fail at once instead of queueing requests behind it
            // Try again every second rather than on the client's growing backoff: every instance distrusts its cache
            // while Redis is gone, so how soon it is back is how soon lookups are answered from memory again.
            ReconnectRetryPolicy = new LinearRetry(1000),
            ConnectTimeout = 3000,
            SyncTimeout = 2000,
            AsyncTimeout = 2000,
        };
        var userInfo = uri.UserInfo.Split(':', 2);
        if (userInfo.Length == 2)
        {
            if (userInfo[0].Length > 0) options.User = Uri.UnescapeDataString(userInfo[0]);
            options.Password = Uri.UnescapeDataString(userInfo[1]);
        }
        if (int.TryParse(uri.AbsolutePath.Trim('/'), out var db)) options.DefaultDatabase = db;
        return options;
    }
}
