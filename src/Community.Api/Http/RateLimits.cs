using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using StackExchange.Redis;

namespace Community.Api.Http;

/// <summary>The <c>RateLimiting</c> section: <see cref="PermitLimit"/> requests per caller per window.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimiting";
    public bool Enabled { get; set; } = true;
    public int PermitLimit { get; set; } = 600;
    public int WindowSeconds { get; set; } = 60;
}

/// <summary>
/// Per-caller rate limiting: each service key, each hub user, and each client address for unauthenticated
/// calls has its own window. Open operational endpoints are exempt. With Redis the window is shared by every instance
/// (see <see cref="CallerRateLimiter"/>); without it each instance keeps its own.
/// </summary>
public static class RateLimits
{
    public static void AddRateLimits(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        if (options.PermitLimit < 1 || options.WindowSeconds < 1)
            throw new Hosting.StartupConfigurationException("RateLimiting:PermitLimit and RateLimiting:WindowSeconds must be positive.");
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(sp => new CallerRateLimiter(options,
            $"community:{sp.GetRequiredService<Data.DatabaseSettings>().Fingerprint}:", sp.GetService<IConnectionMultiplexer>(),
            sp.GetRequiredService<ILogger<CallerRateLimiter>>()));
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IServiceProvider>((o, sp) => o.GlobalLimiter = sp.GetRequiredService<CallerRateLimiter>());
        builder.Services.AddRateLimiter(o =>
        {
            o.OnRejected = async (context, ct) =>
            {
                var retryAfter = RetryAfter(context.Lease) ?? TimeSpan.FromSeconds(options.WindowSeconds);
                var http = context.HttpContext;
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Problems.WriteAsync(http, StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited,
                    $"More than {options.PermitLimit} requests in {options.WindowSeconds} s; retry after the Retry-After delay.");
            };
        });
    }

    // The in-process limiter says TimeSpan, RedisRateLimiting whole seconds.
    private static TimeSpan? RetryAfter(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter.Name, out var value)
            ? value switch { TimeSpan wait => wait, int seconds => TimeSpan.FromSeconds(seconds), _ => null }
            : null;

    public static void UseRateLimits(this WebApplication app)
    {
        if (app.Services.GetRequiredService<RateLimitOptions>().Enabled) app.UseRateLimiter();
    }
}
