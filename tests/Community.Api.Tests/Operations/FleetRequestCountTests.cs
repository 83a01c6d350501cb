using System.Globalization;
using System.Text.RegularExpressions;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Operations;

/// <summary>
/// The fleet's three request counters agree with each other and with what was answered. Exact counts need a registry
/// no other test writes to meanwhile, hence the non-parallel collection.
/// </summary>
[Collection(nameof(MetricsRegistry))]
public sealed partial class FleetRequestCountTests(SqliteApp app) : ApiTest(app), IClassFixture<SqliteApp>
{
    private sealed record Counts(double Total, double Success, double Error, double HealthDurations);

    private async Task<Counts> Scrape()
    {
        var text = await App.Anonymous().GetStringAsync("/metrics", Ct);
        double Sum(Regex series) => series.Matches(text).Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));
        return new(Sum(Total()), Sum(Success()), Sum(Error()), Sum(HealthDurations()));
    }

    [Fact]
    public async Task SuccessAndErrorAddUpToTheTotalAndCountWhatWasAnswered()
    {
        await App.Anonymous().GetAsync("/health", Ct); // every series exists from here on
        var before = await Scrape();
        Assert.Equal(before.Total, before.Success + before.Error);

        await App.Anonymous().GetAsync("/health", Ct);
        await App.Anonymous().GetAsync("/api/v1/nonexistent", Ct);
        await App.Anonymous().DeleteAsync("/api/v1/status", Ct);
        await App.Anonymous().GetAsync("/api/v1/communities", Ct); // 401

        var after = await Scrape();
        Assert.Equal(after.Total, after.Success + after.Error);
        Assert.Equal((4d, 1d, 3d, 1d), (after.Total - before.Total, after.Success - before.Success, after.Error - before.Error,
            after.HealthDurations - before.HealthDurations));
    }

    // .* rather than [^}]*: route templates in the endpoint label have braces of their own.
    [GeneratedRegex("""(?m)^waddlebot_requests_total\{.*\} (?<value>\S+)$""")]
    private static partial Regex Total();

    [GeneratedRegex("""(?m)^waddlebot_requests_success_total\{module="community_module"\} (?<value>\S+)$""")]
    private static partial Regex Success();

    [GeneratedRegex("""(?m)^waddlebot_requests_error_total\{module="community_module"\} (?<value>\S+)$""")]
    private static partial Regex Error();

    [GeneratedRegex("""(?m)^waddlebot_request_duration_seconds_count\{[^}]*endpoint="/health"\} (?<value>\S+)$""")]
    private static partial Regex HealthDurations();
}
