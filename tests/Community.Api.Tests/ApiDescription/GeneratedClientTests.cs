using Community.Api.ApiDescription;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.ApiDescription;

/// <summary>
/// The document is good enough to generate a working client from: Kiota (a local dotnet tool) generates a typed C# client
/// from the live document of a running service, tests/ClientCheck compiles it, and runs a small scenario through it
/// against that service: create a community, connect its channel, join a member through the connector path, read the
/// lookup, and read a refusal back as the typed problem.
/// </summary>
public sealed class GeneratedClientTests
{
    private static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    [Fact]
    public async Task AClientGeneratedFromTheLiveDocumentCompilesAndDrivesTheService()
    {
        var root = Repository.Root;
        var version = await ApiTools.RunAsync(Dotnet, ["tool", "run", "kiota", "--version"], root, TimeSpan.FromMinutes(1));
        ApiTools.Require(version.ExitCode == 0 ? null : "the kiota tool is not restored");

        var work = Directory.CreateTempSubdirectory("client-check-");
        try
        {
            await using var service = await ServedService.StartAsync();
            using var http = new HttpClient();
            var document = Path.Combine(work.FullName, "openapi.json");
            var ct = TestContext.Current.CancellationToken;
            await File.WriteAllTextAsync(document, await http.GetStringAsync(service.BaseUrl + ApiDescriptionSetup.DocumentPath, ct), ct);

            var client = Path.Combine(work.FullName, "client");
            var generate = await ApiTools.RunAsync(Dotnet, ["tool", "run", "kiota", "generate", "--language", "CSharp", "--openapi", document,
                "--output", client, "--namespace-name", "Community.Client", "--class-name", "CommunityApiClient",
                "--exclude-backward-compatible", "--clean-output", "--log-level", "Warning"], root, TimeSpan.FromMinutes(3));
            Assert.True(generate.ExitCode == 0, "kiota generate failed: " + generate);

            var bin = Path.Combine(work.FullName, "bin");
            var build = await ApiTools.RunAsync(Dotnet, ["build", Path.Combine(root, "tests", "ClientCheck", "ClientCheck.csproj"),
                $"-p:ClientDirectory={client}", "-o", bin, "-nologo", "-v", "q"], root, TimeSpan.FromMinutes(6));
            Assert.True(build.ExitCode == 0, "The generated client does not compile: " + build);

            var run = await ApiTools.RunAsync(Dotnet, [Path.Combine(bin, "ClientCheck.dll"), service.BaseUrl, ServedService.Key], work.FullName,
                TimeSpan.FromMinutes(1));
            Assert.True(run.ExitCode == 0, "The scenario failed: " + run);
            TestContext.Current.TestOutputHelper?.WriteLine(run.Stdout);
            Assert.Contains("joined hub user", run.Stdout);
            Assert.Contains("duplicate name refused: 409 Community_name_taken", run.Stdout);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
