using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Hosting;

/// <summary>What a finished process left behind.</summary>
public sealed record ProcessOutcome(int ExitCode, string Stdout, string Stderr)
{
    public string[] ErrorLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    public string[] OutputLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    public override string ToString() => $"exit code {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>
/// The built service run as a real process, as an operator runs it: <c>dotnet Community.Api.dll …</c> (or <c>dotnet run</c>),
/// in a directory of the test's choosing, configured only by the environment the test gives it.
/// </summary>
public static class ServiceProcess
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

#if DEBUG
    private const string BuildConfiguration = "Debug";
#else
    private const string BuildConfiguration = "Release";
#endif

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "Community.Api.dll");

    private static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    /// <summary>Runs <c>dotnet Community.Api.dll <paramref name="args"/></c> to its end.</summary>
    public static Task<ProcessOutcome> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string> env, params string[] args) =>
        RunToEndAsync(Start(workingDirectory, env, [Dll, .. args]));

    /// <summary>
    /// Runs <c>dotnet Community.Api.dll <paramref name="args"/></c> on a pseudo-terminal (util-linux <c>script</c>), where
    /// interactive output such as a progress bar is drawn; null when <c>script</c> is not installed.
    /// </summary>
    public static async Task<ProcessOutcome?> RunInTerminalAsync(string workingDirectory, IReadOnlyDictionary<string, string> env, params string[] args)
    {
        const string script = "/usr/bin/script";
        if (!File.Exists(script)) return null;
        var command = string.Join(' ', new[] { Dotnet, Dll }.Concat(args).Select(a => $"'{a.Replace("'", "'\\''")}'"));
        var start = Start(workingDirectory, env, ["-qec", command, "/dev/null"], script);
        return await RunToEndAsync(start);
    }

    /// <summary>Starts <c>dotnet Community.Api.dll <paramref name="args"/></c>; the caller decides when it ends (see <see cref="FinishAsync"/>).</summary>
    public static Process Launch(string workingDirectory, IReadOnlyDictionary<string, string> env, params string[] args) =>
        Start(workingDirectory, env, [Dll, .. args]);

    /// <summary>Waits for a launched process to end and collects what it wrote.</summary>
    public static Task<ProcessOutcome> FinishAsync(Process process) => RunToEndAsync(process);

    /// <summary>Runs <c>dotnet run --project src/Community.Api -- <paramref name="args"/></c> (with its launch profile) to its end.</summary>
    public static Task<ProcessOutcome> DotnetRunAsync(IReadOnlyDictionary<string, string> env, params string[] args)
    {
        var project = Path.Combine(Repository.Root, "src", "Community.Api");
        return RunToEndAsync(Start(project, env, ["run", "--no-build", "-c", BuildConfiguration, "--project", project, "--", .. args]));
    }

    /// <summary>Starts the service (<c>serve</c>) on a free port and returns once <c>/health</c> answers.</summary>
    public static async Task<RunningService> ServeAsync(string workingDirectory, Dictionary<string, string> env)
    {
        var port = FreePort();
        env["MODULE_PORT"] = port.ToString();
        var process = Start(workingDirectory, env, [Dll]);
        var output = new StringWriter();
        process.OutputDataReceived += (_, e) => { lock (output) output.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var service = new RunningService(process, port, output);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) break;
            try
            {
                if ((await http.GetAsync($"{service.BaseUrl}/health", TestContext.Current.CancellationToken)).IsSuccessStatusCode) return service;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested) { }
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
        await service.DisposeAsync();
        Assert.Fail($"The service did not come up on port {port}: {service.Output}");
        return service;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Process Start(string workingDirectory, IReadOnlyDictionary<string, string> env, string[] args, string? program = null)
    {
        var start = new ProcessStartInfo(program ?? Dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // Nothing from the test run's own environment may configure the service.
        foreach (var key in start.Environment.Keys.Where(IsServiceSetting).ToList()) start.Environment.Remove(key);
        foreach (var (key, value) in env) start.Environment[key] = value;
        return Process.Start(start)!;
    }

    private static async Task<ProcessOutcome> RunToEndAsync(Process process)
    {
        using var _ = process;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The process did not exit within {Timeout.TotalSeconds} s; it probably started serving. Output: {await stdout}");
        }
        return new ProcessOutcome(process.ExitCode, await stdout, await stderr);
    }

    private static bool IsServiceSetting(string key) =>
        key.StartsWith("ASPNETCORE_") || key is "DOTNET_ENVIRONMENT" or "DOTNET_CONTENTROOT" || key.Contains("__")
        || key.StartsWith("DATABASE_") || key.StartsWith("ENCRYPTION_") || key.StartsWith("COMMUNITY_")
        || key is "MODULE_PORT" or "LOG_LEVEL" or "REDIS_URL" or "urls";
}

/// <summary>A service process serving on <see cref="Port"/>; disposing stops it.</summary>
public sealed class RunningService(Process process, int port, StringWriter output) : IAsyncDisposable
{
    public int Port { get; } = port;
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public string Output
    {
        get { lock (output) return output.ToString(); }
    }

    /// <summary>Stops the service as a container runtime does (SIGTERM) and returns its exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", $"{process.Id}"])!) await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(ServiceProcess.Timeout);
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
    }
}
