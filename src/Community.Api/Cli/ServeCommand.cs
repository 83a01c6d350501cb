using System.CommandLine;
using Community.Api.Data;

namespace Community.Api.Cli;

/// <summary><c>serve</c> (also the default): apply pending migrations, then serve on MODULE_PORT until stopped.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Serve the API (the default when no command is given): apply pending migrations, then listen on MODULE_PORT (8020).");
        command.SetAction(OperatorCommandLine.Guard("serve", RunAsync));
        return command;
    }

    public static async Task<int> RunAsync(ParseResult _, string[] configuration, CancellationToken __)
    {
        await using var app = Program.BuildService(configuration);
        await app.Services.MigrateDatabaseAsync();
        Program.MapService(app);
        await app.RunAsync(); // the host stops on Ctrl+C / SIGTERM and lets running requests finish
        return 0;
    }
}
