using Community.Api.Events;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Community.Api.Webhooks;

/// <summary>
/// Keeps webhooks from reaching into the service's own network (SSRF): a target on an internal address (see
/// <see cref="IsInternal"/>) is refused unless its host is listed in
/// <c>Webhooks:AllowedHosts</c>. Checked when a subscription is created (early, friendly 400) and again on every
/// connection, against the address actually connected to, so a name that later resolves elsewhere (DNS
/// rebinding) gains nothing.
/// </summary>
public sealed class WebhookTargets(IOptions<WebhookOptions> options)
{
    private const string PublicOnly = "webhook targets must be public unless listed in Webhooks:AllowedHosts.";
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);

    private readonly HashSet<string> _allowed = options.Value.AllowedHosts
        .Select(Normalize).ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Null when <paramref name="url"/> may be targeted, else why not.</summary>
    public async Task<string?> RefusalAsync(Uri url, CancellationToken ct)
    {
        if (IsAllowedHost(url.Host)) return null;
        if (IPAddress.TryParse(Normalize(url.Host), out var literal))
            return IsInternal(literal) ? $"'{url.Host}' is an internal address; {PublicOnly}" : null;
        if (url.IdnHost.Equals("localhost", StringComparison.OrdinalIgnoreCase) || url.IdnHost.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            return $"'{url.Host}' is a loopback name; {PublicOnly}";

        IPAddress[] addresses;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ResolveTimeout);
        try
        {
            addresses = await Dns.GetHostAddressesAsync(url.IdnHost, timeout.Token);
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            // A name that does not resolve yet is accepted: deliveries check the address they connect to anyway.
            return null;
        }
        // Which address it is stays unsaid: the answer would map the service's network for whoever asks.
        return addresses.Any(IsInternal) ? $"'{url.Host}' resolves to an internal address; {PublicOnly}" : null;
    }

    /// <summary>
    /// The <see cref="SocketsHttpHandler.ConnectCallback"/> of the delivery client: resolves the host itself and connects
    /// only to addresses the policy permits, so the check applies to the very address the request goes to.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(Normalize(endpoint.Host), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, ct);
        var permitted = IsAllowedHost(endpoint.Host) ? addresses : addresses.Where(a => !IsInternal(a)).ToArray();
        if (permitted.Length == 0)
            throw new WebhookTargetRefusedException($"Refused to connect to '{endpoint.Host}': it is or resolves only to internal addresses; {PublicOnly}");

        SocketException? last = null;
        foreach (var address in permitted)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(address, endpoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }

    /// <summary>
    /// Anything but a public unicast address. An IPv4 address is judged in every IPv6 form that carries it (mapped,
    /// translated, NAT64, 6to4, Teredo), so writing 127.0.0.1 as IPv6 gains nothing.
    /// </summary>
    public static bool IsInternal(IPAddress address) => address.AddressFamily switch
    {
        AddressFamily.InterNetwork => IsInternalV4(address.GetAddressBytes()),
        AddressFamily.InterNetworkV6 => IsInternalV6(address.GetAddressBytes()),
        _ => true,
    };

    /// <summary>The IANA special-purpose ranges that are not globally reachable, plus multicast and the reserved 240/4.</summary>
    private static bool IsInternalV4(ReadOnlySpan<byte> b) => b[0] switch
    {
        0 or 10 or 127 => true,
        100 => b[1] is >= 64 and <= 127, // shared address space (carrier-grade NAT)
        169 => b[1] == 254, // link-local, where cloud metadata services live
        172 => b[1] is >= 16 and <= 31,
        192 => (b[1], b[2]) is (168, _) or (0, 0) or (0, 2) or (88, 99), // private, IETF protocol, documentation, 6to4 relay
        198 => b[1] is 18 or 19 || (b[1], b[2]) is (51, 100), // benchmarking, documentation
        203 => (b[1], b[2]) is (0, 113), // documentation
        >= 224 => true, // multicast, reserved and broadcast
        _ => false,
    };

    private static bool IsInternalV6(byte[] b)
    {
        var embedded = b.AsSpan(12, 4);
        if (Zero(b, 0, 10) && b[10] == 0xff && b[11] == 0xff) return IsInternalV4(embedded); // ::ffff:0:0/96, IPv4-mapped
        if (Zero(b, 0, 8) && b[8] == 0xff && b[9] == 0xff && Zero(b, 10, 2)) return IsInternalV4(embedded); // ::ffff:0:0:0/96, IPv4-translated
        if (b is [0x00, 0x64, 0xff, 0x9b, ..] && Zero(b, 4, 8)) return IsInternalV4(embedded); // 64:ff9b::/96, NAT64
        if (b is [0x20, 0x02, ..]) return IsInternalV4(b.AsSpan(2, 4)); // 2002::/16, 6to4
        if (b is [0x20, 0x01, 0x00, 0x00, ..]) // 2001::/32, Teredo: the server, then the client with every bit inverted
            return IsInternalV4(b.AsSpan(4, 4)) || IsInternalV4([(byte)~b[12], (byte)~b[13], (byte)~b[14], (byte)~b[15]]);
        // Outside 2000::/3 nothing is public: ::/96 (::, ::1, IPv4-compatible), 64:ff9b:1::/48 (local-use NAT64),
        // 100::/64 (discard), 5f00::/16 (SRv6), fc00::/7 (unique local), fe80::/10 (link-local), fec0::/10 (site-local), ff00::/8 (multicast).
        if ((b[0] & 0xe0) != 0x20) return true;
        return b is [0x20, 0x01, 0x0d, 0xb8, ..] // 2001:db8::/32, documentation
            || b is [0x3f, 0xff, < 0x10, ..] // 3fff::/20, documentation
            || b is [0x20, 0x01, 0x00, 0x02, 0x00, 0x00, ..] // 2001:2::/48, benchmarking
            || (b is [0x20, 0x01, 0x00, var orchid, ..] && orchid >> 4 == 1); // 2001:10::/28, ORCHID (deprecated)
    }

    private static bool Zero(byte[] b, int start, int length) => !b.AsSpan(start, length).ContainsAnyExcept((byte)0);

    private bool IsAllowedHost(string host) => _allowed.Contains(Normalize(host));

    // Uri.Host keeps IPv6 literals in brackets; configuration may or may not.
    private static string Normalize(string host) => host.Trim().TrimStart('[').TrimEnd(']');
}

/// <summary>A delivery's connection was refused by <see cref="WebhookTargets"/>.</summary>
public sealed class WebhookTargetRefusedException(string message) : Exception(message);
