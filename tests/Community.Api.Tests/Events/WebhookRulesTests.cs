using System.Net;
using Community.Api.Events;
using Community.Api.Hosting;
using Microsoft.AspNetCore.Builder;

namespace Community.Api.Tests.Events;

/// <summary>The pieces with a right answer of their own: signing, the retry schedule, the address policy.</summary>
public sealed class WebhookRulesTests
{
    [Fact]
    public void SigningMatchesTheStandardWebhooksTestVector()
    {
        // From the Standard Webhooks specification's reference implementations.
        var signature = WebhookSigning.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, """{"test": 2432232314}""");
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    [Fact]
    public void NewSecretsCarryThirtyTwoRandomBytes()
    {
        var (a, b) = (WebhookSigning.NewSecret(), WebhookSigning.NewSecret());
        Assert.NotEqual(a, b);
        Assert.Equal(32, Convert.FromBase64String(a["whsec_".Length..]).Length);
    }

    [Fact]
    public void TheDefaultScheduleRetriesForMoreThanADay()
    {
        var options = new WebhookOptions();
        Assert.Equal(WebhookOptions.StandardSchedule, options.Schedule());
        Assert.True(options.Schedule().Aggregate(TimeSpan.Zero, (sum, d) => sum + d) >= TimeSpan.FromHours(24));
        Assert.Null(options.Problem());
    }

    [Theory]
    [InlineData(0, 1000, "00:00:05", "TimeoutSeconds")]
    [InlineData(15, 0, "00:00:05", "PollIntervalMilliseconds")]
    [InlineData(15, 1000, "-00:00:05", "RetrySchedule")]
    public void BadOptionsAreNamed(int timeout, int poll, string delay, string named)
    {
        var options = new WebhookOptions { TimeoutSeconds = timeout, PollIntervalMilliseconds = poll, RetrySchedule = [TimeSpan.Parse(delay)] };
        Assert.Contains(named, options.Problem());
    }

    [Theory]
    [InlineData("Webhooks:RetrySchedule:0", "banana", "RetrySchedule")]
    [InlineData("Webhooks:TimeoutSeconds", "0", "TimeoutSeconds")]
    public void BadConfigurationStopsStartUpSayingWhy(string key, string value, string named)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration[key] = value;
        Assert.Contains(named, Assert.Throws<StartupConfigurationException>(builder.AddEvents).Message);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.0.0.1", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("::", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fc00::1", true)]
    [InlineData("::ffff:192.168.1.1", true)]
    [InlineData("93.184.215.14", false)]
    [InlineData("172.32.0.1", false)]
    [InlineData("2606:4700::1111", false)]
    public void InternalAddressesAreRecognised(string address, bool isInternal) =>
        Assert.Equal(isInternal, WebhookTargets.IsInternal(IPAddress.Parse(address)));
}
