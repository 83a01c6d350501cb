using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Community.Api.Auth;

/// <summary>
/// The configured service keys, held only as SHA-256 digests. A presented key is hashed and compared with
/// every digest in constant time, so neither its length nor which key it resembles leaks through timing.
/// </summary>
public sealed class ApiKeyRegistry(IOptions<AuthOptions> options)
{
    private readonly (byte[] Digest, ServiceKeyPrincipal Principal)[] _keys =
        options.Value.ApiKeys.Where(k => !string.IsNullOrEmpty(k.Key)).Select(k => (Digest(k.Key), new ServiceKeyPrincipal(k))).ToArray();

    /// <summary>The principal of the configured key <paramref name="presented"/> is, or null.</summary>
    public ServiceKeyPrincipal? Find(string presented)
    {
        var digest = Digest(presented);
        ServiceKeyPrincipal? match = null;
        foreach (var (candidate, principal) in _keys)
            if (CryptographicOperations.FixedTimeEquals(candidate, digest)) match ??= principal;
        return match;
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
