namespace Community.Api.Tests.Cli;

/// <summary>Every verb explains itself, and what is not a verb or a setting is refused instead of starting the service.</summary>
public sealed class CommandLineTests : CliTest
{
    [Theory]
    [InlineData("", "Commands:")]
    [InlineData("serve", "Serve the API")]
    [InlineData("migrate", "Apply pending database migrations")]
    [InlineData("check", "Validate the configuration")]
    [InlineData("keys", "new")]
    [InlineData("keys new", "--scopes")]
    [InlineData("rotate-encryption", "--batch-size")]
    [InlineData("healthcheck", "--url")]
    public async Task EveryVerbHasHelp(string verb, string mentions)
    {
        var outcome = await RunAsync([], [.. verb.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]);
        AssertSucceeded(outcome);
        Assert.Contains("Usage:", outcome.Stdout);
        Assert.Contains($"Community.Api {verb}".TrimEnd(), outcome.Stdout);
        Assert.Contains(mentions, outcome.Stdout);
        Assert.Empty(outcome.Stderr);
    }

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
