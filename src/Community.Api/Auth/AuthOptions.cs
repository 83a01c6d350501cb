namespace Community.Api.Auth;

/// <summary>The <c>Auth</c> configuration section.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";
    public List<ApiKeyOptions> ApiKeys { get; set; } = [];
    public JwtOptions Jwt { get; set; } = new();
}

/// <summary>One service key: <c>Auth:ApiKeys:N:Name</c>, <c>:Key</c>, <c>:Scopes</c>.</summary>
public sealed class ApiKeyOptions
{
    public string Name { get; set; } = "";
    public string Key { get; set; } = "";
    public List<string> Scopes { get; set; } = [];
}

/// <summary>Hub user tokens: HS256 with <see cref="Secret"/>; issuer and audience are checked when set.</summary>
public sealed class JwtOptions
{
    public string? Secret { get; set; }
    public string? Issuer { get; set; }
    public string? Audience { get; set; }
}
