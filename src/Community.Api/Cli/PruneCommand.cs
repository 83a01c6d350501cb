using System.CommandLine;
using Community.Api.Retention;
using Microsoft.Extensions.Options;

namespace Community.Api.Cli;

/// <summary><c>prune</c>: one retention pass, the same the background job runs; <c>--dry-run</c> only counts.</summary>
internal static class PruneCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Count what a pass would delete now; delete nothing." };
        var command = new Command("prune",
            "Delete what the retention windows (the Retention section) have expired, once, in small batches, as the background job does. Safe while the service runs.")
        {
            dryRun,
        };
        command.SetAction(OperatorCommandLine.Guard("prune", (result, configuration, ct) => RunAsync(result.GetValue(dryRun), configuration, ct)));
        return command;
    }

    private static async Task<int> RunAsync(bool dryRun, string[] configuration, CancellationToken ct)
    {
        await using var app = Program.BuildService(configuration, builder => builder.Logging.ClearProviders());
        app.Services.GetService<IStartupValidator>()?.Validate();
        await using var scope = app.Services.CreateAsyncScope();
        var counts = await scope.ServiceProvider.GetRequiredService<Pruner>().RunAsync(dryRun, ct);
        foreach (var (table, rows) in counts.ByTable())
            Console.WriteLine($"{table,-20} {rows,10} {(dryRun ? "would be deleted" : "deleted")}");
        return 0;
    }
}
