using System.CommandLine;
using Community.Api.Cli;

namespace Community.Api.Tests.Cli;

/// <summary>Every verb explains itself, and what is not a verb or a setting is refused instead of starting the service.</summary>
public sealed class CommandLineTests : CliTest
{
    /// <summary>Every command path of the command line ("", "migrate", "keys new", …), from its own definition.</summary>
    public static TheoryData<string> Verbs() => [.. Paths(OperatorCommandLine.Create(), "")];

    private static IEnumerable<string> Paths(Command command, string path) =>
        command.Subcommands.SelectMany(c => Paths(c, $"{path} {c.Name}".Trim())).Prepend(path);

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task EveryVerbHasHelp(string verb)
    {
        var command = verb.Split(' ', StringSplitOptions.RemoveEmptyEntries).Aggregate((Command)OperatorCommandLine.Create(), (c, name) => c.Subcommands.Single(s => s.Name == name));

        var outcome = await RunAsync([], [.. verb.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]);

        AssertSucceeded(outcome);
        Assert.Contains("Usage:", outcome.Stdout);
        Assert.Contains($"Community.Api {verb}".TrimEnd(), outcome.Stdout);
        Assert.False(string.IsNullOrWhiteSpace(command.Description));
        Assert.Contains(command.Description!.Split(' ')[0], outcome.Stdout);
        foreach (var option in command.Options.Where(o => !o.Hidden)) Assert.Contains(option.Name, outcome.Stdout);
        Assert.Empty(outcome.Stderr);
    }

    [Fact]
    public void TheCommandLineHasTheOperatorsVerbs() =>
        Assert.Equal(["", "check", "healthcheck", "keys", "keys new", "migrate", "rotate-encryption", "seed", "serve"], Verbs().Select(v => (string)v.Data).Order());

    [Fact]
    public async Task SettingsOnTheCommandLineReachTheVerb()
    {
        // --Key=value and --Key value are configuration, as for the service itself: here they break the key's scopes.
        var outcome = await RunAsync(Production(), "check", "--Auth:ApiKeys:0:Scopes:0=everything");
        Assert.Contains("unknown scope 'everything'", AssertOneSentenceFailure(outcome, "check"));

        outcome = await RunAsync(Production(), "check", "--MODULE_PORT", "9123");
        AssertSucceeded(outcome);
        Assert.Contains("listens on: http://*:9123", outcome.Stdout);
    }

    [Fact]
    public async Task AWordThatIsNeitherAVerbNorASettingIsRefused()
    {
        var outcome = await RunAsync(Production(), "check", "now");
        Assert.Equal("community_module check: unknown command or argument 'now'; run with --help to see the commands.", AssertOneSentenceFailure(outcome, "check"));
    }
}
