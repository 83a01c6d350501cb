using Community.Api.Webhooks;
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
        Assert.Contains(named, Assert.Throws<StartupConfigurationException>(builder.AddWebhooks).Message);
    }

    /// <summary>
    /// Every form an internal address can take, IPv4 written inside IPv6 included, and public addresses in the same forms.
    /// Teredo carries the client's IPv4 address with every bit inverted: 80ff:fffe is 127.0.0.1, f7f7:f7f7 is 8.8.8.8.
    /// </summary>
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.0.0.1", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("192.0.0.8", true)]
    [InlineData("192.0.2.2", true)]
    [InlineData("198.18.0.1", true)]
    [InlineData("198.51.100.7", true)]
    [InlineData("203.0.113.9", true)]
    [InlineData("224.0.0.1", true)]
    [InlineData("240.0.0.1", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("::", true)]
    [InlineData("::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fec0::1", true)]
    [InlineData("fc00::1", true)]
    [InlineData("fd00::2", true)]
    [InlineData("ff02::1", true)]
    [InlineData("100::1", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("3fff::1", true)]
    [InlineData("2001:2::1", true)]
    [InlineData("::127.0.0.1", true)] // IPv4-compatible
    [InlineData("::8.8.8.8", true)] // IPv4-compatible is deprecated: nothing public lives there
    [InlineData("::ffff:127.0.0.1", true)] // IPv4-mapped
    [InlineData("::ffff:192.168.1.1", true)]
    [InlineData("::ffff:0:7f00:1", true)] // IPv4-translated
    [InlineData("::ffff:0:a9fe:a9fe", true)]
    [InlineData("64:ff9b::7f00:1", true)] // NAT64
    [InlineData("64:ff9b::a00:1", true)]
    [InlineData("64:ff9b:1::808:808", true)] // local-use NAT64: translated inside this network, whatever it embeds
    [InlineData("2002:7f00:1::", true)] // 6to4
    [InlineData("2002:a9fe:a9fe::1", true)]
    [InlineData("2001:0:4136:e378:8000:63bf:80ff:fffe", true)] // Teredo, client 127.0.0.1
    [InlineData("2001:0:4136:e378:8000:63bf:f5ff:fffe", true)] // Teredo, client 10.0.0.1
    [InlineData("2001:0:a00:1:8000:63bf:f7f7:f7f7", true)] // Teredo through an internal server 10.0.0.1
    [InlineData("93.184.215.14", false)]
    [InlineData("172.32.0.1", false)]
    [InlineData("100.128.0.1", false)]
    [InlineData("198.20.0.1", false)]
    [InlineData("2606:4700::1111", false)]
    [InlineData("2a00:1450:4001:80b::200e", false)]
    [InlineData("::ffff:8.8.8.8", false)]
    [InlineData("::ffff:0:808:808", false)]
    [InlineData("64:ff9b::808:808", false)]
    [InlineData("2002:808:808::1", false)]
    [InlineData("2001:0:4136:e378:8000:63bf:f7f7:f7f7", false)] // Teredo, client 8.8.8.8
    public void InternalAddressesAreRecognised(string address, bool isInternal) =>
        Assert.Equal(isInternal, WebhookTargets.IsInternal(IPAddress.Parse(address)));
}
