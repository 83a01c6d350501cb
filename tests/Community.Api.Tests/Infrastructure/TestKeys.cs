using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Community.Api.Tests.Infrastructure;

/// <summary>The credentials every test app is configured with.</summary>
public static class TestKeys
{
    public const string Admin = "test-key-all-scopes-0001";
    public const string ReadOnly = "test-key-read-only-00002";
    public const string NoScopes = "test-key-no-scopes-00003";
    public const string MembersOnly = "test-key-members-only-004";
    public const string JwtSecret = "test-jwt-secret-that-is-long-enough-for-hs256";
    public const string EncryptionKey = "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy1vayE="; // 32 bytes

    /// <summary>Named service keys: (name, key, scopes).</summary>
    public static readonly (string Name, string Key, string[] Scopes)[] ServiceKeys =
    [
        ("test-admin", Admin, ["*"]),
        ("test-reader", ReadOnly, ["communities:read", "members:read", "identities:read", "events:read"]),
        ("test-none", NoScopes, []),
        ("test-members", MembersOnly, ["members:write", "communities:read"]),
    ];

    /// <summary>A Hub token for <paramref name="hubUserId"/>, valid for an hour unless said otherwise.</summary>
    public static string UserToken(long hubUserId, bool superAdmin = false, TimeSpan? lifetime = null, string secret = JwtSecret,
        IDictionary<string, object>? extraClaims = null)
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object> { ["sub"] = hubUserId.ToString() };
        if (superAdmin) claims["is_super_admin"] = true;
        foreach (var (k, v) in extraClaims ?? new Dictionary<string, object>()) claims[k] = v;
        var expires = now + (lifetime ?? TimeSpan.FromHours(1));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            IssuedAt = expires < now ? expires.AddMinutes(-5) : now,
            NotBefore = expires < now ? expires.AddMinutes(-5) : now,
            Expires = expires,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256),
        });
    }
}
