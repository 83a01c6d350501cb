using System.Net;
using System.Net.Http.Json;
using Community.Api.Tests.Hosting;

namespace Community.Api.Tests.Cli;

/// <summary><c>keys new</c>: a strong random key, printed as the exact environment lines that configure it.</summary>
public sealed class KeysCommandTests : CliTest
{
    private static Dictionary<string, string> Lines(ProcessOutcome outcome) =>
        outcome.OutputLines.Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

    [Fact]
    public async Task PrintsARandomKeyAsEnvironmentLines()
    {
        var outcome = await RunAsync([], "keys", "new", "--name", "router", "--scopes", "communities:read, members:read");

        AssertSucceeded(outcome);
        var lines = Lines(outcome);
        Assert.Equal(["Auth__ApiKeys__0__Name", "Auth__ApiKeys__0__Key", "Auth__ApiKeys__0__Scopes__0", "Auth__ApiKeys__0__Scopes__1"], lines.Keys);
        Assert.Equal("router", lines["Auth__ApiKeys__0__Name"]);
        Assert.Equal(("communities:read", "members:read"), (lines["Auth__ApiKeys__0__Scopes__0"], lines["Auth__ApiKeys__0__Scopes__1"]));
        Assert.Matches("^[A-Za-z0-9_-]{43}$", lines["Auth__ApiKeys__0__Key"]); // 32 random bytes, URL-safe base64
        Assert.Contains("X-API-Key", Assert.Single(outcome.ErrorLines));

        var again = Lines(await RunAsync([], "keys", "new", "--name", "router", "--scopes", "communities:read"));
        Assert.NotEqual(lines["Auth__ApiKeys__0__Key"], again["Auth__ApiKeys__0__Key"]);
    }

    [Fact]
    public async Task TheLinesConfigureAWorkingKeyWithExactlyThoseScopes()
    {
        var outcome = await RunAsync(Production(), "keys", "new", "--name", "reader", "--scopes", "communities:read");
        AssertSucceeded(outcome);
        var lines = Lines(outcome);
        Assert.Contains("Auth__ApiKeys__1__Key", lines.Keys); // after the configured key 0, not over it

        var env = Production();
        foreach (var (key, value) in lines) env[key] = value;
        await using var service = await ServiceProcess.ServeAsync(Directory, env);
        using var http = new HttpClient { BaseAddress = new Uri(service.BaseUrl) };
        http.DefaultRequestHeaders.Add("X-API-Key", lines["Auth__ApiKeys__1__Key"]);

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/communities", TestContext.Current.CancellationToken)).StatusCode);
        var write = await http.PostAsync("/api/v1/communities", JsonContent.Create(new { name = "x", owner_id = 1 }), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
    }

    [Theory]
    [InlineData("members:delete", "unknown scope 'members:delete'")]
    [InlineData("communities:read,admin", "unknown scope 'admin'")]
    [InlineData(" , ", "names no scope")]
    public async Task UnknownScopesAreRefused(string scopes, string mentions)
    {
        var outcome = await RunAsync([], "keys", "new", "--name", "x", "--scopes", scopes);
        var line = AssertOneSentenceFailure(outcome, "keys new");
        Assert.Contains(mentions, line);
        Assert.Contains("communities:read", line); // the known scopes are listed
        Assert.Empty(outcome.Stdout);
    }

    [Fact]
    public async Task ANameAlreadyConfiguredIsRefused()
    {
        var outcome = await RunAsync(Production(), "keys", "new", "--name", "ops", "--scopes", "*");
        Assert.Contains("A key named 'ops' is already configured", AssertOneSentenceFailure(outcome, "keys new"));
    }

    [Fact]
    public async Task NameAndScopesAreRequired()
    {
        var outcome = await RunAsync([], "keys", "new", "--name", "x");
        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("Option '--scopes' is required", outcome.Stderr);
        Assert.DoesNotContain("__Key=", outcome.Stdout);
    }
}
