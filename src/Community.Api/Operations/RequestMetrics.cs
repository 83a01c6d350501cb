using System.Globalization;
using Community.Api.Hosting;
using Microsoft.AspNetCore.Diagnostics;
using Prometheus;

namespace Community.Api.Operations;

/// <summary>
/// The fleet's request series, measured by prometheus-net's HTTP middleware under the fleet's names. The labels are
/// the module, the method, the route template (never the raw path, which callers choose) and the status code.
/// </summary>
public static class RequestMetrics
{
    private const string Module = "module", Endpoint = "endpoint";

    private static readonly Counter Requests = Metrics.CreateCounter("waddlebot_requests_total", "HTTP requests answered.",
        new CounterConfiguration { LabelNames = [Module, "method", Endpoint, "code"] });

    private static readonly Histogram Duration = Metrics.CreateHistogram("waddlebot_request_duration_seconds",
        "Time to answer an HTTP request.", new HistogramConfiguration
        {
            LabelNames = [Module, "method", Endpoint],
            Buckets = Histogram.ExponentialBuckets(0.0005, 2, 14),
        });

    private static readonly Counter Succeeded = Metrics.CreateCounter("waddlebot_requests_success_total",
        "HTTP requests answered with a success (status below 400; the body says success: true).", Module);

    private static readonly Counter Failed = Metrics.CreateCounter("waddlebot_requests_error_total",
        "HTTP requests answered with an error (status 400 and above; a problem with success: false).", Module);

    /// <summary>Outermost, so that it times the whole pipeline and counts the 500s the exception handler writes.</summary>
    public static IApplicationBuilder UseRequestMetrics(this IApplicationBuilder app) => app.UseHttpMetrics(o =>
    {
        o.InProgress.Enabled = false;
        o.RequestCount.Counter = Requests;
        o.RequestDuration.Histogram = Duration;
        o.AddCustomLabel(Module, _ => ServiceInfo.Module);
        o.AddCustomLabel(Endpoint, RouteTemplate);
    });

    /// <summary>
    /// The exception handler clears the endpoint before it writes its problem; the one it failed in is still known, so
    /// an error keeps the route it happened on.
    /// </summary>
    private static string RouteTemplate(HttpContext context) =>
        (context.GetEndpoint() ?? context.Features.Get<IExceptionHandlerFeature>()?.Endpoint) is RouteEndpoint route
            ? route.RoutePattern.RawText ?? "unmatched"
            : "unmatched";

    /// <summary>
    /// The middleware keeps one counter with a <c>code</c> label; the fleet's success and error series are its sums, taken
    /// at each scrape, so they cannot disagree with it.
    /// </summary>
    internal static void CountOutcomes()
    {
        double succeeded = 0, failed = 0;
        foreach (var labels in Requests.GetAllLabelValues())
        {
            var count = Requests.WithLabels(labels).Value;
            if (int.Parse(labels[3], CultureInfo.InvariantCulture) < 400) succeeded += count;
            else failed += count;
        }
        Succeeded.WithLabels(ServiceInfo.Module).IncTo(succeeded);
        Failed.WithLabels(ServiceInfo.Module).IncTo(failed);
    }
}
