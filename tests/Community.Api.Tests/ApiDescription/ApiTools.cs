using System.Diagnostics;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.ApiDescription;

/// <summary>What a process run to its end left behind.</summary>
public sealed record ToolRun(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit code {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>
/// The outside tools that check the API description: Redocly's linter and a Chromium driver from npm (installed into
/// <c>tools/api/node_modules</c> by <c>npm ci --prefix tools/api</c>), the distribution's Chromium, and Kiota (a local
/// dotnet tool). Without them these tests skip, saying how to install them; <c>REQUIRE_API_TOOLS=1</c> (as in CI) turns
/// the skip into a failure.
/// </summary>
public static class ApiTools
{
    public static string ToolsDirectory => Path.Combine(Repository.Root, "tools", "api");

    public static string Redocly => Path.Combine(ToolsDirectory, "node_modules", "@redocly", "cli", "bin", "cli.js");

    public static string PuppeteerCore => Path.Combine(ToolsDirectory, "node_modules", "puppeteer-core", "package.json");

    public static string? Node => OnPath("node");

    public static string? Chromium => Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } given ? given
        : OnPath("chromium") ?? OnPath("chromium-browser");

    /// <summary>Skips the test (or, under <c>REQUIRE_API_TOOLS=1</c>, fails it) when <paramref name="missing"/> says what is not installed.</summary>
    public static void Require(string? missing)
    {
        if (missing is null) return;
        var reason = $"{missing} (install with: npm ci --prefix tools/api; apt-get install chromium; dotnet tool restore)";
        if (Environment.GetEnvironmentVariable("REQUIRE_API_TOOLS") == "1") Assert.Fail($"REQUIRE_API_TOOLS=1 but {reason}.");
        Assert.Skip(reason);
    }

    /// <summary>Runs a program to its end (at most <paramref name="timeout"/>) with only the environment it is given beyond the usual.</summary>
    public static async Task<ToolRun> RunAsync(string program, IEnumerable<string> args, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? env = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // Tools that would phone home (telemetry, update checks) are told not to: the machine may have no network.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        start.Environment["KIOTA_UPDATE_DISABLED"] = "true";
        start.Environment["KIOTA_TUTORIAL_ENABLED"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in env ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{Path.GetFileName(program)} {string.Join(' ', args)} did not finish within {timeout.TotalSeconds} s. Output so far: {await stdout}");
        }
        return new ToolRun(process.ExitCode, await stdout, await stderr);
    }

    private static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(directory => Path.Combine(directory, name)).FirstOrDefault(File.Exists);
}
