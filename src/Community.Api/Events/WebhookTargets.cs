using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Community.Api.Events;

/// <summary>
/// Keeps webhooks from reaching into the service's own network (SSRF): a target on a loopback, private,
/// link-local, unique-local or unspecified address is refused unless its host is listed in
/// <c>Webhooks:AllowedHosts</c>. Checked when a subscription is created (early, friendly 400) and again on every
/// connection, against the address actually connected to, so a name that later resolves elsewhere (DNS
/// rebinding) gains nothing.
/// </summary>
public sealed class WebhookTargets(IOptions<WebhookOptions> options)
{
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);

    private readonly HashSet<string> _allowed = options.Value.AllowedHosts
        .Select(Normalize).ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Null when <paramref name="url"/> may be targeted, else why not.</summary>
    public async Task<string?> RefusalAsync(Uri url, CancellationToken ct)
    {
        if (IsAllowedHost(url.Host)) return null;
        if (IPAddress.TryParse(Normalize(url.Host), out var literal))
            return IsInternal(literal) ? Refused(url.Host, literal) : null;
        if (url.IdnHost.Equals("localhost", StringComparison.OrdinalIgnoreCase) || url.IdnHost.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            return $"'{url.Host}' is a loopback name; webhook targets must be public unless listed in Webhooks:AllowedHosts.";

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
        return addresses.FirstOrDefault(IsInternal) is { } internalAddress ? Refused(url.Host, internalAddress) : null;
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
            throw new WebhookTargetRefusedException(
                $"Refused to connect to '{endpoint.Host}': it resolves only to internal addresses ({string.Join(", ", addresses.Select(a => a.ToString()))}).");

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

    /// <summary>Loopback, private (RFC 1918), shared (RFC 6598), link-local, unique-local, multicast or unspecified.</summary>
    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) return true;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast;
        var b = address.GetAddressBytes();
        return b[0] switch
        {
            0 or 10 or 127 => true,
            100 => b[1] is >= 64 and <= 127,
            169 => b[1] == 254,
            172 => b[1] is >= 16 and <= 31,
            192 => b[1] == 168,
            >= 224 => true, // multicast, reserved and broadcast
            _ => false,
        };
    }

    private bool IsAllowedHost(string host) => _allowed.Contains(Normalize(host));

    // Uri.Host keeps IPv6 literals in brackets; configuration may or may not.
    private static string Normalize(string host) => host.Trim().TrimStart('[').TrimEnd(']');

    private static string Refused(string host, IPAddress address) =>
        $"'{host}' is the internal address {address}; webhook targets must be public unless listed in Webhooks:AllowedHosts.";
}

/// <summary>A delivery's connection was refused by <see cref="WebhookTargets"/>.</summary>
public sealed class WebhookTargetRefusedException(string message) : Exception(message);
