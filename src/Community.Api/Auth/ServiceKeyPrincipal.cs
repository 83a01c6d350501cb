using System.Security.Claims;

namespace Community.Api.Auth;

/// <summary>
/// The principal of one configured service key, built once: its claims never change, so every request that presents
/// the key shares it (building it per request was a third of a request's allocations), and <see cref="Caller.From"/>
/// answers with the <see cref="Auth.Caller"/> built beside it. Only this type is ever a service caller, so no other
/// principal (a Hub token carrying a <c>caller_kind</c> claim, say) can pass for one.
/// </summary>
public sealed class ServiceKeyPrincipal : ClaimsPrincipal
{
    public Caller Caller { get; }

    public ServiceKeyPrincipal(ApiKeyOptions key)
        : base(new ClaimsIdentity(
            [new(CallerClaims.Kind, CallerClaims.Service), new(CallerClaims.Name, key.Name), .. key.Scopes.Select(s => new Claim(CallerClaims.Scope, s))],
            ApiKeyAuthenticationHandler.SchemeName, CallerClaims.Name, null)) =>
        Caller = new Caller(CallerKind.Service, key.Name, null, false, key.Scopes.ToHashSet());
}
