using System.CommandLine;
using Community.Api.Data;

namespace Community.Api.Cli;

/// <summary><c>migrate</c>: bring the schema up to date and exit (a deployment's migration job runs this before a rollout).</summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command("migrate", "Apply pending database migrations (the database DATABASE_URL names) and exit without serving.");
        command.SetAction(OperatorCommandLine.Guard("migrate", RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult _, string[] configuration, CancellationToken ct)
    {
        await using var app = Program.BuildService(configuration);
        await app.Services.MigrateDatabaseAsync(ct);
        return 0;
    }
}
