using System.Globalization;
using System.Threading.RateLimiting;
using Community.Api.Auth;
using Microsoft.AspNetCore.RateLimiting;

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
/// calls has its own window. Open operational endpoints are exempt. Limits are per instance.
/// </summary>
public static class RateLimits
{
    public static void AddRateLimits(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        if (options.PermitLimit < 1 || options.WindowSeconds < 1)
            throw new Hosting.StartupConfigurationException("RateLimiting:PermitLimit and RateLimiting:WindowSeconds must be positive.");
        builder.Services.AddSingleton(options);
        builder.Services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                RateLimitPartition.GetFixedWindowLimiter(Caller.From(context.User)?.Key ?? $"ip:{context.Connection.RemoteIpAddress}",
                    _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = options.PermitLimit,
                        Window = TimeSpan.FromSeconds(options.WindowSeconds),
                        QueueLimit = 0,
                    }));
            o.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(options.WindowSeconds);
                var http = context.HttpContext;
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Problems.WriteAsync(http, StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited,
                    $"More than {options.PermitLimit} requests in {options.WindowSeconds} s; retry after the Retry-After delay.");
            };
        });
    }

    public static void UseRateLimits(this WebApplication app)
    {
        if (app.Services.GetRequiredService<RateLimitOptions>().Enabled) app.UseRateLimiter();
    }
}
