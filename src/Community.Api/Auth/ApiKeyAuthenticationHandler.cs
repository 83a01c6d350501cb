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

        return Task.FromResult(registry.Find(presented) is { } principal
            ? AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName))
            : AuthenticateResult.Fail("Unknown API key."));
    }
}
