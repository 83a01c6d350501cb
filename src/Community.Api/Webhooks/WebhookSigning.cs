using Community.Api.Events;
using System.Security.Cryptography;
using System.Text;

namespace Community.Api.Webhooks;

/// <summary>Standard Webhooks secrets and signatures (https://www.standardwebhooks.com).</summary>
public static class WebhookSigning
{
    public const string SecretPrefix = "whsec_";

    /// <summary>A new signing secret: <c>whsec_</c> and the base64 of 32 random bytes.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The <c>webhook-signature</c> header: <c>v1,</c> and the base64 HMAC-SHA256 of <c>{id}.{timestamp}.{body}</c>.</summary>
    public static string Sign(string secret, string messageId, long timestamp, string body)
    {
        var key = Convert.FromBase64String(secret[SecretPrefix.Length..]);
        var signature = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.{body}"));
        return $"v1,{Convert.ToBase64String(signature)}";
    }
}
