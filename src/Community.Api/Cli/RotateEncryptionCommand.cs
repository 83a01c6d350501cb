using System.CommandLine;
using Community.Api.Data;
using Community.Api.Hosting;
using Community.Api.Security;
using Spectre.Console;

namespace Community.Api.Cli;

/// <summary>
/// <c>rotate-encryption</c>: re-seal every stored platform credential and webhook secret under the current ENCRYPTION_KEY,
/// with a progress bar and a summary. Safe beside running instances and resumable: see <see cref="SecretResealer"/>.
/// Exit code 0 when every value is current, 1 when some value no configured key opens (reported, left untouched),
/// 130 when stopped by Ctrl+C or SIGTERM (what was done is kept; run it again to finish).
/// </summary>
internal static class RotateEncryptionCommand
{
    public static Command Create()
    {
        var batchSize = new Option<int>("--batch-size") { Description = "Values per transaction.", DefaultValueFactory = _ => 100 };
        batchSize.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 10_000) r.AddError("--batch-size must be between 1 and 10000.");
        });
        var command = new Command("rotate-encryption",
            "Re-seal every stored platform credential and webhook secret under the current ENCRYPTION_KEY (older keys in ENCRYPTION_PREVIOUS_KEYS open them). Resumable, safe while the service runs.")
        {
            batchSize,
        };
        command.SetAction(OperatorCommandLine.Guard("rotate-encryption", (result, configuration, ct) => RunAsync(result.GetValue(batchSize), configuration, ct)));
        return command;
    }

    private static async Task<int> RunAsync(int batchSize, string[] configuration, CancellationToken ct)
    {
        await using var app = Program.BuildService(configuration, builder => builder.Logging.ClearProviders());
        await using var scope = app.Services.CreateAsyncScope();
        var resealer = new SecretResealer(scope.ServiceProvider.GetRequiredService<CommunityDb>(), app.Services.GetRequiredService<SecretProtector>());
        int total;
        try
        {
            total = await resealer.CountAsync();
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            var database = app.Services.GetRequiredService<DatabaseSettings>().Description;
            throw new StartupConfigurationException(
                $"The database ({database}) cannot be read ({e.GetBaseException().Message.TrimEnd('.')}); check DATABASE_URL, that the server is running and that `migrate` has run.");
        }

        var console = AnsiConsole.Console;
        var (tallies, completed) = await console.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask("Re-sealing stored secrets", maxValue: Math.Max(total, 1));
                var outcome = await resealer.RunAsync(batchSize, n => task.Increment(n), ct);
                if (outcome.Completed) task.Value = task.MaxValue; // rows added meanwhile may have moved the total
                return outcome;
            });

        // Current: already under the current key. Changed: written or deleted by someone else meanwhile, so left as it is now.
        var table = new Table().AddColumns("Secrets", "Read", "Re-sealed", "Current", "Changed", "Unreadable");
        foreach (var t in tallies)
            table.AddRow(t.Name, $"{t.Seen}", $"{t.Resealed}", $"{t.Current}", $"{t.Changed}", $"{t.Unreadable.Count}");
        console.Write(table);

        if (!completed)
        {
            await Console.Error.WriteLineAsync(
                $"{ServiceInfo.Module} rotate-encryption: interrupted; every batch finished so far is saved and the rest still opens with the previous keys: run rotate-encryption again to finish.");
            return 130;
        }
        var unreadable = tallies.Where(t => t.Unreadable.Count > 0).ToList();
        if (unreadable.Count > 0)
        {
            await Console.Error.WriteLineAsync(
                $"{ServiceInfo.Module} rotate-encryption: {unreadable.Sum(t => t.Unreadable.Count)} value(s) open with no configured key and were left untouched ({string.Join("; ", unreadable.Select(t => $"{t.Name}: id {string.Join(", ", t.Unreadable)}"))}); add the key they were sealed with to ENCRYPTION_PREVIOUS_KEYS and run again.");
            return 1;
        }
        console.MarkupLine($"All {tallies.Sum(t => t.Seen)} stored secret(s) are sealed with the current ENCRYPTION_KEY.");
        return 0;
    }
}
