using System.Text;
using Community.Api.Hosting;
using Community.Api.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.IdentityModel.Tokens;

namespace Community.Api.Auth;

public static class AuthSetup
{
    /// <summary>
    /// Service keys and Hub user tokens behind one default scheme, the key's, which picks by header. Every endpoint
    /// requires one of them unless it says <c>AllowAnonymous</c>, and declares the permission it needs, which
    /// <see cref="CommunityAccess"/> decides.
    /// </summary>
    public static void AddAuth(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(AuthOptions.Section);
        var options = section.Get<AuthOptions>() ?? new AuthOptions();
        Validate(options, builder.Environment);
        builder.Services.Configure<AuthOptions>(section);
        builder.Services.AddSingleton<ApiKeyRegistry>();

        var jwt = options.Jwt;
        var hasJwt = !string.IsNullOrEmpty(jwt.Secret);
        // The key's handler is the default scheme and hands a bearer token on to JwtBearer itself: a policy scheme in
        // front of both made two handlers and two results per request (9.1 → 8.5 KB allocated per lookup).
        var authentication = builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName,
                o => o.ForwardDefaultSelector = context =>
                    hasJwt && context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                        ? JwtBearerDefaults.AuthenticationScheme
                        : null);
        // AddAuthentication also adds ASP.NET Data Protection, whose hosted service loads its XML key ring at start and
        // writes one into $HOME when there is none (where the Helm chart's read-only root filesystem cannot keep it).
        // Nothing here protects data with it (no cookies, no antiforgery, no protected tokens), so it does not start.
        var dataProtection = typeof(IDataProtectionBuilder).Assembly;
        foreach (var keyRingLoader in builder.Services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Assembly == dataProtection).ToList())
            builder.Services.Remove(keyRingLoader);
        if (hasJwt)
            authentication.AddJwtBearer(o =>
            {
                o.MapInboundClaims = false; // keep "sub", "userId" and "roles" as the Hub wrote them
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(jwt.Secret!)),
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256], // refuses alg:none and every other algorithm
                    ValidateIssuer = !string.IsNullOrEmpty(jwt.Issuer),
                    ValidIssuer = jwt.Issuer,
                    ValidateAudience = !string.IsNullOrEmpty(jwt.Audience),
                    ValidAudience = jwt.Audience,
                    ValidateLifetime = true,
                    RequireExpirationTime = true,
                    RequireSignedTokens = true,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
                o.Events = new JwtBearerEvents
                {
                    OnTokenValidated = context =>
                    {
                        if (Caller.HubUserIdOf(context.Principal!) is null)
                            context.Fail("The token names no hub user: claim 'sub' or 'userId' must be a positive integer.");
                        return Task.CompletedTask;
                    },
                };
            });

        // Deny by default: an endpoint is open only with AllowAnonymous, and otherwise reachable only by valid credentials
        // and only when it declares the permission it needs (RequiredPermission); one that forgets is refused.
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser()
                .RequireAssertion(context => context.Resource is HttpContext http && http.GetEndpoint()?.Metadata.GetMetadata<RequiredPermission>() is not null)
                .Build());
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        builder.Services.AddScoped<CommunityAccess>();
        builder.Services.AddSingleton<KnownCommunities>();
    }

    private static void Validate(AuthOptions options, IHostEnvironment environment)
    {
        foreach (var key in options.ApiKeys)
        {
            if (string.IsNullOrWhiteSpace(key.Name))
                throw new StartupConfigurationException("Every entry of Auth:ApiKeys needs a Name (Auth__ApiKeys__N__Name).");
            if (key.Key.Length < 16)
                throw new StartupConfigurationException($"API key '{key.Name}' is shorter than 16 characters; configure a longer random key.");
            var unknown = key.Scopes.FirstOrDefault(s => !Scopes.Known.Contains(s));
            if (unknown is not null)
                throw new StartupConfigurationException(
                    $"API key '{key.Name}' has unknown scope '{unknown}'; known scopes are {string.Join(", ", Scopes.Known)}.");
        }
        if (options.ApiKeys.GroupBy(k => k.Name).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
            throw new StartupConfigurationException($"Two API keys are named '{duplicate.Key}'; names must be unique (they name the caller in the audit log).");

        var secret = options.Jwt.Secret;
        if (!string.IsNullOrEmpty(secret) && Encoding.UTF8.GetByteCount(secret) < 32)
            throw new StartupConfigurationException("Auth:Jwt:Secret must be at least 32 bytes long for HS256.");

        if (!environment.IsDevelopment() && options.ApiKeys.Count == 0 && string.IsNullOrEmpty(secret))
            throw new StartupConfigurationException(
                $"No credentials are configured for the {environment.EnvironmentName} environment: set at least one service key (Auth__ApiKeys__0__Name, Auth__ApiKeys__0__Key, Auth__ApiKeys__0__Scopes__0) or a Hub token secret (Auth__Jwt__Secret).");
    }

    /// <summary>Turns authorization refusals into problem details with <c>unauthorized</c> / <c>forbidden</c> codes.</summary>
    private sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
    {
        public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
        {
            if (result.Succeeded)
            {
                await next(context);
                return;
            }
            var (status, code, detail) = result.Challenged
                ? (401, ErrorCodes.Unauthorized, "Missing or invalid credentials: send X-API-Key: <key> or Authorization: Bearer <Hub token>.")
                : (403, ErrorCodes.Forbidden, "These credentials may not call this endpoint.");
            if (status == 401) context.Response.Headers.WWWAuthenticate = "Bearer, ApiKey";
            await Problems.WriteAsync(context, status, code, detail);
        }
    }
}
