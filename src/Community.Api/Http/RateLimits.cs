using System.Globalization;
using System.Threading.RateLimiting;
using Community.Api.Auth;
using Microsoft.AspNetCore.RateLimiting;

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
/// calls has its own window. Open operational endpoints are exempt. Limits are per instance.
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
        builder.Services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                PerCaller(context, options.PermitLimit, options.WindowSeconds));
            o.AddPolicy(Invites, context => PerCaller(context, options.InvitePermitLimit, options.InviteWindowSeconds));
            o.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                var onInvites = http.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == Invites;
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
                    ? wait
                    : TimeSpan.FromSeconds(onInvites ? options.InviteWindowSeconds : options.WindowSeconds);
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                var overall = $"{options.PermitLimit} requests in {options.WindowSeconds} s";
                await Problems.WriteAsync(http, StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited, onInvites
                    ? $"More than {options.InvitePermitLimit} invite previews and accepts in {options.InviteWindowSeconds} s, or more than {overall}; retry after the Retry-After delay."
                    : $"More than {overall}; retry after the Retry-After delay.");
            };
        });
    }

    /// <summary>A fixed window per caller: each service key, each hub user, each client address for unauthenticated calls.</summary>
    private static RateLimitPartition<string> PerCaller(HttpContext context, int permits, int windowSeconds) =>
        RateLimitPartition.GetFixedWindowLimiter(Caller.From(context.User)?.Key ?? $"ip:{context.Connection.RemoteIpAddress}",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromSeconds(windowSeconds), QueueLimit = 0 });

    public static void UseRateLimits(this WebApplication app)
    {
        if (app.Services.GetRequiredService<RateLimitOptions>().Enabled) app.UseRateLimiter();
    }
}
