using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using StackExchange.Redis;

namespace Community.Api.Http;

/// <summary>
/// The <c>RateLimiting</c> section: <see cref="PermitLimit"/> requests per caller per window, and a stricter
/// <see cref="InvitePermitLimit"/> for invite previews and accepts together (they are what guessing codes would use).
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimiting";
    public bool Enabled { get; set; } = true;
    public int PermitLimit { get; set; } = 600;
    public int WindowSeconds { get; set; } = 60;
    public int InvitePermitLimit { get; set; } = 30;
    public int InviteWindowSeconds { get; set; } = 60;
}

/// <summary>
/// Per-caller rate limiting: each service key, each hub user, and each client address for unauthenticated
/// calls has its own window. Open operational endpoints are exempt. With Redis a window is shared by every instance
/// (see <see cref="CallerRateLimiter"/>); without it each instance keeps its own.
/// </summary>
public static class RateLimits
{
    /// <summary>The policy of invite previews and accepts: <see cref="RateLimitOptions.InvitePermitLimit"/> per caller, on top of the global limit.</summary>
    public const string Invites = "invites";

    public static void AddRateLimits(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        if (options.PermitLimit < 1 || options.WindowSeconds < 1 || options.InvitePermitLimit < 1 || options.InviteWindowSeconds < 1)
            throw new Hosting.StartupConfigurationException(
                "RateLimiting:PermitLimit, RateLimiting:WindowSeconds, RateLimiting:InvitePermitLimit and RateLimiting:InviteWindowSeconds must be positive.");
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(sp => new CallerRateLimiter(sp.GetService<IConnectionMultiplexer>(),
            $"community:{sp.GetRequiredService<Data.DatabaseSettings>().Fingerprint}:", sp.GetRequiredService<ILogger<CallerRateLimiter>>()));
        builder.Services.AddOptions<RateLimiterOptions>().Configure<CallerRateLimiter>((o, limiter) =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                limiter.Partition(context, "all", options.PermitLimit, TimeSpan.FromSeconds(options.WindowSeconds)));
            o.AddPolicy(Invites, context => limiter.Partition(context, Invites, options.InvitePermitLimit, TimeSpan.FromSeconds(options.InviteWindowSeconds)));
        });
        builder.Services.AddRateLimiter(o =>
        {
            o.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                var onInvites = http.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == Invites;
                var retryAfter = RetryAfter(context.Lease) ?? TimeSpan.FromSeconds(onInvites ? options.InviteWindowSeconds : options.WindowSeconds);
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                var overall = $"{options.PermitLimit} requests in {options.WindowSeconds} s";
                await Problems.WriteAsync(http, StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited, onInvites
                    ? $"More than {options.InvitePermitLimit} invite previews and accepts in {options.InviteWindowSeconds} s, or more than {overall}; retry after the Retry-After delay."
                    : $"More than {overall}; retry after the Retry-After delay.");
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
