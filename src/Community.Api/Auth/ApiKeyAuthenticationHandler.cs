using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Community.Api.Auth;

/// <summary>Authenticates services by <c>X-API-Key</c> (or <c>X-Service-Key</c>). The key itself is never logged.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyRegistry registry)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public static readonly string[] Headers = ["X-API-Key", "X-Service-Key"];

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Headers.Select(h => Request.Headers[h].ToString()).FirstOrDefault(v => v.Length > 0);
        if (presented is null) return Task.FromResult(AuthenticateResult.NoResult());

        var key = registry.Find(presented);
        if (key is null) return Task.FromResult(AuthenticateResult.Fail("Unknown API key."));

        var claims = new List<Claim> { new(CallerClaims.Kind, CallerClaims.Service), new(CallerClaims.Name, key.Name) };
        claims.AddRange(key.Scopes.Select(s => new Claim(CallerClaims.Scope, s)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, CallerClaims.Name, null));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }
}
