using System.Net;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Operations;

/// <summary>A service whose CPU threshold is 1% of the machine: any work at all is "pressure".</summary>
public sealed class TouchyCpuApp : SqliteApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Health:CpuPercent"] = "1" };
}

/// <summary>Readiness follows the fleet: anything but healthy is 503, with the failing check named.</summary>
public sealed class HealthThresholdTests(TouchyCpuApp app) : ApiTest(app), IClassFixture<TouchyCpuApp>
{
    [Fact]
    public async Task CpuPressureMakesReadiness503WithTheCpuWarningNamed()
    {
        var client = App.Anonymous();
        await client.GetAsync("/healthz", Ct); // the first sample covers the time since start
        var spin = DateTime.UtcNow.AddMilliseconds(300);
        while (DateTime.UtcNow < spin) { } // busy: well over 1% of the machine until the next sample

        var response = await client.GetAsync("/healthz", Ct);
        var body = await response.Json();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("degraded", body.Str("status"));
        Assert.Equal("warning", body.GetProperty("checks").Str("cpu"));
        Assert.Equal("ok", body.GetProperty("checks").Str("database"));
    }
}
