using Community.Api.Tests.Hosting;

namespace Community.Api.Tests.Cli;

/// <summary>Runs the built service's verbs as processes in a fresh directory, in Production with a valid minimal configuration.</summary>
public abstract class CliTest : IDisposable
{
    public const string EncryptionKey = "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy1vayE=";
    public const string OpsKey = "cli-test-key-0123456789abcdef";

    protected string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("community-cli-").FullName;

    protected string SqliteFile => Path.Combine(Directory, "community.db");

    public virtual void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(Directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Production on this directory's SQLite file with one service key; <paramref name="extra"/> adds or overrides.</summary>
    protected Dictionary<string, string> Production(params (string Key, string Value)[] extra)
    {
        var env = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DATABASE_URL"] = $"sqlite:{SqliteFile}",
            ["ENCRYPTION_KEY"] = EncryptionKey,
            ["Auth__ApiKeys__0__Name"] = "ops",
            ["Auth__ApiKeys__0__Key"] = OpsKey,
            ["Auth__ApiKeys__0__Scopes__0"] = "*",
        };
        foreach (var (key, value) in extra) env[key] = value;
        return env;
    }

    protected Task<ProcessOutcome> RunAsync(Dictionary<string, string> env, params string[] args) => ServiceProcess.RunAsync(Directory, env, args);

    /// <summary>Asserts the verb failed the operator's way: exit code 1 and one line on stderr.</summary>
    protected static string AssertOneSentenceFailure(ProcessOutcome outcome, string verb)
    {
        Assert.True(outcome.ExitCode == 1, outcome.ToString());
        var line = Assert.Single(outcome.ErrorLines);
        Assert.StartsWith($"community_module {verb}: ", line);
        Assert.EndsWith(".", line);
        return line;
    }

    protected static void AssertSucceeded(ProcessOutcome outcome) => Assert.True(outcome.ExitCode == 0, outcome.ToString());
}
