using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Hosting;
using Community.Api.Platforms;
using Community.Api.Security;
using Community.Api.Webhooks;
using Spectre.Console;

namespace Community.Api.Cli;

/// <summary>
/// <c>seed</c>: loads realistic communities at the database's bulk speed (binary COPY on PostgreSQL, batched INSERTs in
/// one transaction on SQLite), for load tests and demos. See <see cref="BulkSeeder"/> for what a community gets and
/// <see cref="SeedPlan"/> for the names. Applies pending migrations first. Exit code 0 when done, 1 with one sentence
/// when the names collide with existing rows or the options are wrong, 130 when stopped (finished communities stay).
/// </summary>
internal static partial class SeedCommand
{
    private const int DefaultMembers = 100;

    public static Command Create()
    {
        var communities = Bounded("--communities", "Communities to create.", 1, 1, 100_000);
        var members = Bounded("--members", "Members of each community, the owner included.", DefaultMembers, 1, 10_000_000);
        var platform = new Option<string>("--platform") { Description = "The platform the channels and member accounts are on.", DefaultValueFactory = _ => "twitch" };
        platform.AcceptOnlyFromAmong(SupportedPlatforms.All);
        var prefix = new Option<string>("--prefix") { Description = "Names start with it: community and channel {prefix}-{c}, account {prefix}-{c}-{j}.", DefaultValueFactory = _ => "seed" };
        prefix.Validators.Add(r =>
        {
            if (!PrefixPattern().IsMatch(r.GetValueOrDefault<string>() ?? "")) r.AddError("--prefix must be 1–40 lowercase letters, digits or dashes, starting with a letter or digit.");
        });
        var reputation = new Option<string>("--reputation") { Description = "default: every member at 600; spread: a bell around 620 with a few moderators and admins.", DefaultValueFactory = _ => "default" };
        reputation.AcceptOnlyFromAmong("default", "spread");
        var left = Bounded("--left-percent", "Share of members (never the owner) who have left.", 0, 0, 99);
        var randomSeed = new Option<int>("--random-seed") { Description = "Makes --reputation spread and --left-percent repeatable.", DefaultValueFactory = _ => 1 };
        var webhookUrl = new Option<string?>("--webhook-url") { Description = "With --webhook-backlog: where the subscription delivers." };
        var backlog = Bounded("--webhook-backlog", "Pending webhook deliveries to leave: the member.joined events of the newest members.", 0, 0, 1_000_000);
        var backlogCommunities = Bounded("--webhook-communities", "How many communities (the first ones) the backlog is spread over; with more than one the subscription is to every community.", 1, 1, 100_000);

        var command = new Command("seed", "Bulk-load realistic communities, members and identities (for load tests). Writes no outbox events: run it before starting the service, or restart running instances afterwards.")
        {
            communities, members, platform, prefix, reputation, left, randomSeed, webhookUrl, backlog, backlogCommunities,
        };
        command.Validators.Add(r =>
        {
            var url = r.GetValue(webhookUrl);
            var pending = r.GetValue(backlog);
            if (pending > 0 && url is null) r.AddError("--webhook-backlog needs --webhook-url.");
            if (url is not null && pending == 0) r.AddError("--webhook-url needs --webhook-backlog.");
            if (url is not null && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
                r.AddError("--webhook-url must be an absolute http or https URL.");
            var spread = Given(r, backlogCommunities, 1);
            if (spread > Given(r, communities, 1)) r.AddError("--webhook-communities cannot exceed --communities.");
            else if ((pending + spread - 1) / spread >= Given(r, members, DefaultMembers))
                r.AddError("--webhook-backlog over --webhook-communities must stay below --members: each delivery is one member's join, and the owner came with the community.");
        });
        command.SetAction(OperatorCommandLine.Guard("seed", (result, configuration, ct) => RunAsync(new SeedPlan(
            result.GetValue(communities), result.GetValue(members), result.GetValue(platform)!, result.GetValue(prefix)!,
            result.GetValue(reputation) == "spread", result.GetValue(left), result.GetValue(randomSeed),
            result.GetValue(webhookUrl) is { } u ? new Uri(u) : null, result.GetValue(backlog), result.GetValue(backlogCommunities)), configuration, ct)));
        return command;
    }

    private static async Task<int> RunAsync(SeedPlan plan, string[] configuration, CancellationToken ct)
    {
        await using var app = Program.BuildService(configuration, builder => builder.Logging.ClearProviders());
        await app.Services.MigrateDatabaseAsync(ct);
        if (plan.WebhookUrl is { } url && await app.Services.GetRequiredService<WebhookTargets>().RefusalAsync(url, ct) is { } refusal)
            throw new StartupConfigurationException($"--webhook-url is refused: {refusal}");
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CommunityDb>();
        var seeder = new BulkSeeder(db, app.Services.GetRequiredService<SecretProtector>(), app.Services.GetRequiredService<TimeProvider>());

        var console = AnsiConsole.Console;
        var clock = Stopwatch.StartNew();
        SeedOutcome outcome;
        try
        {
            outcome = await console.Progress().AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async progress =>
                {
                    var task = progress.AddTask($"Seeding {plan.Communities:N0} × {plan.Members:N0} members", maxValue: plan.TotalRows);
                    var done = await seeder.RunAsync(plan, n => task.Increment(n), ct);
                    task.Value = task.MaxValue;
                    return done;
                });
        }
        catch (Exception e) when (DbErrors.IsUniqueViolation(e))
        {
            throw new StartupConfigurationException(
                $"the database already holds some of these names ({e.GetBaseException().Message.TrimEnd('.')}); choose another --prefix (communities seeded before this one are kept)");
        }
        clock.Stop();

        var rows = outcome.Rows.Values.Sum();
        var table = new Table().AddColumns("Table", "Rows");
        foreach (var (name, count) in outcome.Rows) table.AddRow(name, $"{count:N0}");
        table.AddRow("[bold]total[/]", $"[bold]{rows:N0}[/]");
        console.Write(table);
        console.WriteLine($"Seeded {plan.Communities:N0} communities (ids {outcome.FirstCommunityId}–{outcome.LastCommunityId}) with {plan.Members:N0} members each "
            + $"in {clock.Elapsed.TotalSeconds:0.0} s ({rows / Math.Max(clock.Elapsed.TotalSeconds, 0.001):N0} rows/s).");
        console.WriteLine($"Channels {plan.Platform}:{plan.Channel(1)} … {plan.Channel(plan.Communities)}; member j of community c is the account {plan.Prefix}-c-j (member 1 owns it).");
        if (outcome.SubscriptionId is { } subscription)
            console.WriteLine($"Webhook subscription {subscription} " + (plan.WebhookCommunities == 1 ? $"of community {outcome.FirstCommunityId}" : $"to every community")
                + $" has {plan.WebhookBacklog:N0} pending deliveries to {plan.WebhookUrl}" + (plan.WebhookCommunities == 1 ? "." : $", from {plan.WebhookCommunities:N0} communities."));
        console.WriteLine((outcome.SubscriptionId is null ? "No outbox events were written" : "No outbox events but the backlog's were written")
            + ": instances already running do not hear of the seeded rows; restart them.");
        return 0;
    }

    /// <summary>An option's value in a command validator, which runs before defaults are filled in (an option not given reads 0 there).</summary>
    private static int Given(CommandResult result, Option<int> option, int fallback) => result.GetResult(option) is null ? fallback : result.GetValue(option);

    private static Option<int> Bounded(string name, string description, int fallback, int min, int max)
    {
        var option = new Option<int>(name) { Description = $"{description} ({min}–{max:N0}, default {fallback:N0})", DefaultValueFactory = _ => fallback };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is var v && (v < min || v > max)) r.AddError($"{name} must be between {min} and {max}.");
        });
        return option;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$")]
    private static partial Regex PrefixPattern();
}
