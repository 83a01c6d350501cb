using System.CommandLine;
using Community.Api.Hosting;

namespace Community.Api.Cli;

/// <summary>
/// The service's command line: with no command (or <c>serve</c>) it serves; the other verbs are the operator's tools.
/// Every command also takes configuration as <c>--Key=value</c> / <c>--Key value</c>, exactly as the service reads it
/// (the same appsettings, environment variables and parsers), so a verb sees the configuration the service would.
/// </summary>
public static class OperatorCommandLine
{
    public static async Task<int> RunAsync(string[] args)
    {
        // No response files: an argument starting with @ is a value, not a file to expand.
        var parsed = Create().Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        var serving = parsed.CommandResult.Command is RootCommand || parsed.CommandResult.Command.Name == "serve";
        return await parsed.InvokeAsync(new InvocationConfiguration
        {
            EnableDefaultExceptionHandler = false, // Guard reports failures; EF's tooling needs its HostAbortedException to pass
            // While serving, the host handles Ctrl+C and SIGTERM itself and drains requests; the verbs get a cancelled token.
            ProcessTerminationTimeout = serving ? null : TimeSpan.FromSeconds(10),
        });
    }

    /// <summary>Every command, as <c>--help</c> lists them (deployment files and tests take the verbs from here).</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand($"{ServiceInfo.Module} {ServiceInfo.Version}: communities, members, roles and identities of WaddleBot. With no command it serves the API.")
        {
            ServeCommand.Create(),
            MigrateCommand.Create(),
            CheckCommand.Create(),
            KeysCommand.Create(),
            RotateEncryptionCommand.Create(),
            HealthcheckCommand.Create(),
            SeedCommand.Create(),
        };
        root.SetAction(Guard("serve", ServeCommand.RunAsync));
        AcceptConfigurationTokens(root);
        return root;
    }

    /// <summary>
    /// Runs a verb so that any failure ends as one sentence on stderr and exit code 1 (130 when cancelled by a signal).
    /// </summary>
    internal static Func<ParseResult, CancellationToken, Task<int>> Guard(string verb, Func<ParseResult, string[], CancellationToken, Task<int>> run) =>
        async (result, ct) =>
        {
            var prefix = verb == "serve" ? $"{ServiceInfo.Module} cannot start: " : $"{ServiceInfo.Module} {verb}: ";
            if (ConfigurationArgs(result, out var configuration) is { } problem)
            {
                await Console.Error.WriteLineAsync(prefix + problem);
                return 1;
            }
            try
            {
                return await run(result, configuration, ct);
            }
            catch (HostAbortedException)
            {
                throw; // dotnet ef stops the host once it has the model; that is not a failure
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync(prefix + "cancelled.");
                return 130;
            }
            catch (Exception e)
            {
                await Console.Error.WriteLineAsync(prefix + StartupFailure.Describe(e));
                return 1;
            }
        };

    private static void AcceptConfigurationTokens(Command command)
    {
        command.TreatUnmatchedTokensAsErrors = false;
        foreach (var sub in command.Subcommands) AcceptConfigurationTokens(sub);
    }

    /// <summary>
    /// The tokens no verb or option claimed must be configuration (<c>--Key=value</c>, <c>--Key value</c>, <c>Key=value</c>,
    /// as ASP.NET Core reads them); anything else is a mistyped command, which must not quietly start the service.
    /// </summary>
    private static string? ConfigurationArgs(ParseResult result, out string[] configuration)
    {
        configuration = [.. result.UnmatchedTokens];
        for (var i = 0; i < configuration.Length; i++)
        {
            var token = configuration[i];
            if (token.Contains('=')) continue;
            if (!token.StartsWith("--") && !token.StartsWith('/'))
                return $"unknown command or argument '{token}'; run with --help to see the commands.";
            if (++i >= configuration.Length) return $"the setting {token} needs a value, as in {token}=value.";
        }
        return null;
    }
}
