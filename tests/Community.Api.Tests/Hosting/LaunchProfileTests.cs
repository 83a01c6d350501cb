namespace Community.Api.Tests.Hosting;

/// <summary>
/// <c>dotnet run</c> with the launch profile: Development by default (CONTRACT §3), but an environment the operator names
/// explicitly wins; a Production run must never quietly accept the development key.
/// </summary>
public sealed class LaunchProfileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("community-launch-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Dictionary<string, string> Env(params (string Key, string Value)[] extra)
    {
        var env = new Dictionary<string, string> { ["DATABASE_URL"] = $"sqlite:{Path.Combine(_directory, "community.db")}" };
        foreach (var (key, value) in extra) env[key] = value;
        return env;
    }

    [Fact]
    public async Task PlainDotnetRunIsDevelopment()
    {
        // `check` reports the environment; Development starts with nothing configured (the dev key and dev encryption key).
        var outcome = await ServiceProcess.DotnetRunAsync(Env(), "check");
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("for the Development environment", outcome.Stdout);
        Assert.Contains("(development)", outcome.Stdout);
    }

    [Theory]
    [InlineData("ASPNETCORE_ENVIRONMENT")]
    [InlineData("DOTNET_ENVIRONMENT")]
    public async Task AnExplicitEnvironmentWinsOverTheLaunchProfile(string variable)
    {
        // Production with nothing configured: refused, so neither the development key nor its encryption key was taken.
        var outcome = await ServiceProcess.DotnetRunAsync(Env((variable, "Production")), "migrate");
        Assert.True(outcome.ExitCode == 1, outcome.ToString());
        Assert.Contains("Production", Assert.Single(outcome.ErrorLines));
    }

    [Fact]
    public async Task AnExplicitEnvironmentArgumentWinsToo()
    {
        var outcome = await ServiceProcess.DotnetRunAsync(Env(("ASPNETCORE_ENVIRONMENT", "Production")), "migrate", "--environment", "Staging");
        Assert.True(outcome.ExitCode == 1, outcome.ToString());
        Assert.Contains("Staging", Assert.Single(outcome.ErrorLines));
    }
}
