using System.Net;
using System.Text.RegularExpressions;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Operations;

/// <summary>
/// Counts every series in the process's metrics registry, which all apps of the test run share: no other test may add
/// series while one runs.
/// </summary>
[CollectionDefinition(nameof(MetricsRegistry), DisableParallelization = true)]
public sealed class MetricsRegistry;

/// <summary>
/// <c>/metrics</c> is open, so it may show only what we chose to export: no value a caller controls (hostnames,
/// paths) and no series that callers can multiply.
/// </summary>
[Collection(nameof(MetricsRegistry))]
public sealed partial class MetricsExposureTests(SqliteApp app) : ApiTest(app), IClassFixture<SqliteApp>
{
    private async Task<string> Metrics() => await App.Anonymous().GetStringAsync("/metrics", Ct);

    /// <summary>Creating a webhook resolves its target host, as any community owner may make the service do.</summary>
    private async Task SubscribeTo(string host)
    {
        var body = new { url = $"https://{host}/hook", event_types = new[] { "member.joined" } };
        var response = await App.Service().Post("/api/v1/webhooks", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
    }

    private static string AttackerHost() => $"probe-{Guid.NewGuid():N}.example.com";

    private static int SeriesCount(string metrics) => metrics.Split('\n').Count(line => line.Length > 0 && line[0] != '#');

    [Fact]
    public async Task AHostnameTheServiceResolvedNeverAppearsInMetrics()
    {
        var host = AttackerHost();
        await SubscribeTo(host);

        var metrics = await Metrics();
        Assert.DoesNotContain(host, metrics);
        Assert.DoesNotContain("dns_question_name", metrics);
    }

    [Fact]
    public async Task DistinctHostnamesDoNotGrowTheNumberOfSeries()
    {
        await SubscribeTo(AttackerHost()); // the first of its kind may add its request and event series
        var before = SeriesCount(await Metrics());

        for (var i = 0; i < 5; i++) await SubscribeTo(AttackerHost());

        Assert.Equal(before, SeriesCount(await Metrics()));
    }

    [Fact]
    public async Task OnlyTheFamiliesWeChoseAreExported()
    {
        await SubscribeTo(AttackerHost());
        var families = FamilyName().Matches(await Metrics()).Select(m => m.Groups["name"].Value).ToHashSet();
        Assert.Contains("waddlebot_info", families);
        Assert.All(families, family => Assert.Matches("^(waddlebot|process|dotnet)_", family));
    }

    [GeneratedRegex(@"^# TYPE (?<name>\S+) ", RegexOptions.Multiline)]
    private static partial Regex FamilyName();
}
