using System.Security.Cryptography;
using System.Text;
using Community.Api.Hosting;
using Community.Api.Http;

namespace Community.Api.Security;

/// <summary>
/// Seals secrets (platform credentials, webhook signing secrets) with AES-256-GCM before they reach the
/// database. The key comes from <c>ENCRYPTION_KEY</c> and is never stored; a sealed value names the key
/// it was sealed with, so keys listed in <c>ENCRYPTION_PREVIOUS_KEYS</c> still open older values after a rotation.
/// </summary>
// REVIEW: why not ASP.NET Core Data Protection? Its key ring lives in storage (files, Redis, a table) that every
// instance must share and that must itself be protected; losing it loses every credential, and rotation happens on
// its schedule. Here the operator holds the key (ENCRYPTION_KEY, from the secret store the fleet already uses), every
// instance derives the same ring from configuration with no shared state, rotation is explicit (`keys new`, then
// `rotate-encryption` re-seals every value), and the sealed format is plain AES-256-GCM that other fleet tooling can
// open. The cost is owning ~100 lines of glue around the framework's AesGcm, exercised by the credential, webhook
// and rotation tests.
public sealed class SecretProtector
{
    private const string Version = "v1";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly (string Id, byte[] Key) _current;
    private readonly Dictionary<string, byte[]> _all;

    public SecretProtector(byte[] currentKey, IEnumerable<byte[]> previousKeys)
    {
        _current = (KeyId(currentKey), currentKey);
        _all = previousKeys.Prepend(currentKey).GroupBy(KeyId).ToDictionary(g => g.Key, g => g.First());
    }

    /// <summary>Reads the keys from configuration; outside Development a missing key stops start-up.</summary>
    public static SecretProtector FromConfiguration(IConfiguration config, IHostEnvironment environment)
    {
        var current = config["ENCRYPTION_KEY"];
        if (string.IsNullOrWhiteSpace(current))
            throw new StartupConfigurationException(environment.IsDevelopment()
                ? "ENCRYPTION_KEY is empty; restore the development key from appsettings.Development.json or set your own (base64 of 32 bytes)."
                : "ENCRYPTION_KEY is required outside Development: set it to the base64 of 32 random bytes (openssl rand -base64 32).");
        var previous = (config["ENCRYPTION_PREVIOUS_KEYS"] ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(k => ParseKey(k, "ENCRYPTION_PREVIOUS_KEYS"));
        return new SecretProtector(ParseKey(current, "ENCRYPTION_KEY"), previous);
    }

    public string Protect(string plaintext)
    {
        var data = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[NonceSize + data.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_current.Key, TagSize);
        aes.Encrypt(nonce, data, sealedBytes.AsSpan(NonceSize, data.Length), sealedBytes.AsSpan(NonceSize + data.Length), Aad(_current.Id));
        return $"{Version}.{_current.Id}.{Base64Url.Encode(sealedBytes)}";
    }

    public string Unprotect(string sealedValue)
    {
        var parts = sealedValue.Split('.');
        if (parts.Length != 3 || parts[0] != Version) throw new CryptographicException("Not a sealed secret.");
        if (!_all.TryGetValue(parts[1], out var key))
            throw new CryptographicException($"Sealed with key {parts[1]}, which is neither ENCRYPTION_KEY nor in ENCRYPTION_PREVIOUS_KEYS.");
        var bytes = Base64Url.Decode(parts[2]);
        var cipherLength = bytes.Length - NonceSize - TagSize;
        var plain = new byte[cipherLength];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(bytes.AsSpan(0, NonceSize), bytes.AsSpan(NonceSize, cipherLength), bytes.AsSpan(NonceSize + cipherLength), plain, Aad(parts[1]));
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>
    /// A key for another purpose (signing cursors, say), derived from <c>ENCRYPTION_KEY</c> with HKDF so that every instance
    /// of a deployment shares it without configuration, and no two purposes share a key. Previous keys derive nothing:
    /// what was signed under an older key stops verifying when the key rotates.
    /// </summary>
    public byte[] DeriveKey(string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _current.Key, 32, salt: [], info: Encoding.UTF8.GetBytes($"community-module/{purpose}"));

    /// <summary>True when the value was sealed with an older key and should be sealed again.</summary>
    public bool NeedsRotation(string sealedValue) => sealedValue.Split('.') is [_, var id, _] && id != _current.Id;

    private static byte[] Aad(string keyId) => Encoding.ASCII.GetBytes($"{Version}.{keyId}");

    private static string KeyId(byte[] key) => Convert.ToHexStringLower(SHA256.HashData(key).AsSpan(0, 4));

    private static byte[] ParseKey(string value, string variable)
    {
        byte[] key;
        try { key = Convert.FromBase64String(value); }
        catch (FormatException) { throw new StartupConfigurationException($"{variable} must be base64 (openssl rand -base64 32 makes one)."); }
        return key.Length == 32 ? key : throw new StartupConfigurationException($"{variable} must decode to exactly 32 bytes; it decodes to {key.Length}.");
    }
}
