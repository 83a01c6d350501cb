using System.Net;
using System.Net.Sockets;

namespace Community.Api.Tests.Infrastructure;

/// <summary>
/// A TCP forwarder on a free loopback port, for fault tests: point a client (a connection string, <c>REDIS_URL</c>, an
/// HTTP base address) at <see cref="Port"/> instead of the real server, then <see cref="Cut"/> to make the server look
/// gone, or <see cref="Stall"/> to make it hang, and <see cref="Restore"/> to bring it back. It forwards bytes and knows no protocol, so it serves PostgreSQL,
/// Redis and HTTP alike.
/// </summary>
/// <remarks>
/// While cut, every open connection is reset and every new one is accepted and reset at once, which clients report
/// as the server going away (PostgreSQL and Redis clients fail at once rather than waiting on a timeout). The port
/// stays bound all along, so <see cref="Restore"/> can never lose it to another process.
/// </remarks>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<Link> _open = [];
    private readonly Task _accepting;
    private bool _cut; // guarded by _open
    private TaskCompletionSource _flowing = Flowing(); // guarded by _open; not completed while stalled

    private TcpProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    /// <summary>Starts forwarding from a free port on 127.0.0.1 to <paramref name="targetHost"/>:<paramref name="targetPort"/>.</summary>
    public static TcpProxy Start(string targetHost, int targetPort) => new(targetHost, targetPort);

    /// <summary>The loopback port clients connect to.</summary>
    public int Port { get; }

    /// <summary>How many connections are being forwarded now.</summary>
    public int OpenConnections
    {
        get { lock (_open) return _open.Count; }
    }

    /// <summary>Resets every open connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        List<Link> links;
        lock (_open)
        {
            _cut = true;
            links = [.. _open];
            _open.Clear();
        }
        foreach (var link in links) link.Reset();
    }

    /// <summary>
    /// Holds every byte in both directions, on open and new connections alike, until <see cref="Restore"/>: a server
    /// that hangs without closing anything, so clients wait on their timeouts instead of failing at once.
    /// </summary>
    public void Stall()
    {
        lock (_open)
            if (_flowing.Task.IsCompleted) _flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Forwards new connections again, and lets held bytes through.</summary>
    public void Restore()
    {
        TaskCompletionSource flowing;
        lock (_open)
        {
            _cut = false;
            flowing = _flowing;
        }
        flowing.TrySetResult();
    }

    private static TaskCompletionSource Flowing()
    {
        var flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        flowing.SetResult();
        return flowing;
    }

    private Task UntilFlowingAsync()
    {
        lock (_open) return _flowing.Task;
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (SocketException) when (!_stopping.IsCancellationRequested)
            {
                continue; // a client gave up while queued: keep accepting
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return; // disposed
            }
            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(Socket client)
    {
        var server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        var link = new Link(client, server);
        try
        {
            await server.ConnectAsync(_targetHost, _targetPort, _stopping.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            link.Reset(); // the target itself is down: the client sees what it would see without the proxy, more or less
            return;
        }
        lock (_open)
        {
            // Checked after connecting: a connection accepted just before a cut must not slip through.
            if (_cut || _stopping.IsCancellationRequested)
            {
                link.Reset();
                return;
            }
            _open.Add(link);
        }
        await Task.WhenAll(PumpAsync(client, server, link), PumpAsync(server, client, link));
        lock (_open) _open.Remove(link);
        link.Reset();
    }

    private async Task PumpAsync(Socket from, Socket to, Link link)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                await UntilFlowingAsync();
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
            to.Shutdown(SocketShutdown.Send); // an orderly close travels on as one
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            link.Reset(); // one side broke (or was cut): break the other too, as a dead server would
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        Cut();
        Restore(); // pumps held by a stall find their sockets reset and end
        await _accepting;
        _stopping.Dispose();
    }

    /// <summary>A client connection and its connection to the target.</summary>
    private sealed class Link(Socket client, Socket server)
    {
        private int _reset;

        /// <summary>Closes both sockets with a reset (RST), not an orderly close: that is what a dead peer looks like. Idempotent.</summary>
        public void Reset()
        {
            if (Interlocked.Exchange(ref _reset, 1) == 1) return;
            foreach (var socket in new[] { client, server })
            {
                try
                {
                    if (socket.Connected) socket.LingerState = new LingerOption(true, 0);
                }
                catch (SocketException)
                {
                    // Already broken: closing it is all that is left.
                }
                socket.Dispose();
            }
        }
    }
}
