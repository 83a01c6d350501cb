using System.Text.Json;
using Community.Api.ApiDescription;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.ApiDescription;

/// <summary>
/// The reference page at <c>/docs/</c> in a real headless Chromium: it renders every operation's summary from the
/// service alone, with no request to any other host (no web fonts, scripts or telemetry), and none of the buttons that
/// call out to hosted services. The screenshot is kept in TestResults/.
/// </summary>
public sealed class ReferencePageTests
{
    private static readonly string[] CallingOut = ["Ask AI", "Generate SDK", "Generate MCP", "Deploy", "Share", "Open API Client"];

    [Fact]
    public async Task TheReferencePageShowsEveryOperationWithoutReachingAnotherHost()
    {
        ApiTools.Require(ApiTools.Node is null ? "node is not installed"
            : !File.Exists(ApiTools.PuppeteerCore) ? "puppeteer-core is not installed in tools/api"
            : ApiTools.Chromium is null ? "Chromium is not installed" : null);
        await using var service = await ServedService.StartAsync();
        using var http = new HttpClient();
        var document = JsonDocument.Parse(await http.GetStringAsync(service.BaseUrl + ApiDescriptionSetup.DocumentPath, TestContext.Current.CancellationToken)).RootElement;
        var summaries = ApiDocument.Operations(document).Select(o => o.Operation.GetProperty("summary").GetString()!).Distinct().ToList();
        Assert.True(summaries.Count > 45, $"The document has only {summaries.Count} summaries.");
        var screenshot = Path.Combine(Repository.ResultsDirectory, "reference-page.png");

        var run = await ApiTools.RunAsync(ApiTools.Node!,
            [Path.Combine(ApiTools.ToolsDirectory, "reference-page.mjs"), $"{service.BaseUrl}{ApiDescriptionSetup.ReferencePath}/", screenshot, ApiTools.Chromium!, .. summaries],
            ApiTools.ToolsDirectory, TimeSpan.FromMinutes(4));
        Assert.True(run.ExitCode == 0, run.ToString());
        var page = JsonDocument.Parse(run.Stdout.Trim().Split('\n')[^1]).RootElement;

        Assert.True(File.Exists(screenshot) && new FileInfo(screenshot).Length > 10_000, "No screenshot was taken.");
        var outside = page.GetProperty("outside").EnumerateArray().Select(u => u.GetString()).ToList();
        Assert.True(outside.Count == 0, "The page reached other hosts: " + string.Join(", ", outside));
        Assert.True(!page.TryGetProperty("error", out var error), $"The operations did not render: {error}\n{page.GetProperty("text").GetString()}");
        var missing = page.GetProperty("summaries").EnumerateObject().Where(s => !s.Value.GetBoolean()).Select(s => s.Name).ToList();
        Assert.True(missing.Count == 0, "The page does not show: " + string.Join("; ", missing));
        var text = page.GetProperty("text").GetString()!;
        Assert.All(CallingOut, button => Assert.DoesNotContain(button, text));
        Assert.True(page.GetProperty("requests").GetInt32() > 2, "The page made almost no requests: it cannot have loaded its script.");
    }
}
