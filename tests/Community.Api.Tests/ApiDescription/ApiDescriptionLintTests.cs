using System.Text.Json;
using Community.Api.ApiDescription;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.ApiDescription;

/// <summary>The served document passes Redocly's recommended rules (tools/api/redocly.yaml) with no error and no warning.</summary>
public sealed class ApiDescriptionLintTests(SqliteApp app) : ApiTest(app), IClassFixture<SqliteApp>
{
    [Fact]
    public async Task TheDocumentPassesTheLintersRecommendedRulesWithoutAWarning()
    {
        ApiTools.Require(ApiTools.Node is null ? "node is not installed" : !File.Exists(ApiTools.Redocly) ? "@redocly/cli is not installed in tools/api" : null);
        var directory = Directory.CreateTempSubdirectory("openapi-lint-");
        try
        {
            var document = Path.Combine(directory.FullName, "openapi.json");
            await File.WriteAllTextAsync(document, await App.Anonymous().GetStringAsync(ApiDescriptionSetup.DocumentPath, Ct), Ct);

            var run = await ApiTools.RunAsync(ApiTools.Node!,
                [ApiTools.Redocly, "lint", document, "--config", Path.Combine(ApiTools.ToolsDirectory, "redocly.yaml"), "--format", "json", "--max-problems", "500"],
                ApiTools.ToolsDirectory, TimeSpan.FromMinutes(3));

            var report = JsonDocument.Parse(run.Stdout[run.Stdout.IndexOf('{')..]).RootElement;
            var problems = report.GetProperty("problems").EnumerateArray()
                .Select(p => $"{p.GetProperty("severity").GetString()} {p.GetProperty("ruleId").GetString()}: {p.GetProperty("message").GetString()} at "
                    + string.Join(", ", p.GetProperty("location").EnumerateArray().Select(l => l.GetProperty("pointer").GetString())))
                .ToList();
            Assert.True(problems.Count == 0, $"The linter reports {problems.Count} problems:\n{string.Join("\n", problems)}");
            Assert.Equal(0, report.GetProperty("totals").GetProperty("errors").GetInt32());
            Assert.Equal(0, run.ExitCode);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
