using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Community.Api.Hosting;
using Microsoft.AspNetCore.Diagnostics;
using Prometheus;

namespace Community.Api.Operations;

/// <summary>
/// The fleet's request series. The labels are the module, the method (one of HTTP's own, else <c>other</c>), the route
/// template (never the raw path, which callers choose) and the status code: callers cannot mint new series.
/// </summary>
public static class RequestMetrics
{
    private const string Module = "module", Endpoint = "endpoint";

    private static readonly Counter Requests = Metrics.CreateCounter("waddlebot_requests_total", "HTTP requests answered.",
        new CounterConfiguration { LabelNames = [Module, "method", Endpoint, "code"], ExemplarBehavior = ExemplarBehavior.NoExemplars() });

    private static readonly Histogram Duration = Metrics.CreateHistogram("waddlebot_request_duration_seconds",
        "Time to answer an HTTP request.", new HistogramConfiguration
        {
            LabelNames = [Module, "method", Endpoint],
            Buckets = Histogram.ExponentialBuckets(0.0005, 2, 14),
            ExemplarBehavior = ExemplarBehavior.NoExemplars(),
        });

    private static readonly Counter Succeeded = Metrics.CreateCounter("waddlebot_requests_success_total",
        "HTTP requests answered with a success (status below 400; the body says success: true).", Module);

    private static readonly Counter Failed = Metrics.CreateCounter("waddlebot_requests_error_total",
        "HTTP requests answered with an error (status 400 and above; a problem with success: false).", Module);

    private static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"];

    private static readonly ConcurrentDictionary<(string Method, string Endpoint, int Code), (Counter.Child Count, Histogram.Child Duration)> Series = new();

    /// <summary>Outermost, so that it times the whole pipeline and counts the 500s the exception handler writes.</summary>
    public static IApplicationBuilder UseRequestMetrics(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<Uncounted>() is null) Record(context, started);
        }
    });

    /// <summary>Leaves an endpoint's requests out of the request series (the scrape itself).</summary>
    public static TBuilder NotCounted<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new Uncounted());

    private sealed class Uncounted;

    private static void Record(HttpContext context, long started)
    {
        var (count, duration) = SeriesOf(context);
        count.Inc();
        duration.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>
    /// The request's two series, looked up once per method, route and status: prometheus-net's HTTP middleware, which
    /// this replaces, built and matched its label values on every request (5 % of a lookup's CPU, with exemplars).
    /// </summary>
    private static (Counter.Child, Histogram.Child) SeriesOf(HttpContext context)
    {
        var method = HttpMethods.GetCanonicalizedValue(context.Request.Method);
        if (Array.IndexOf(Methods, method) < 0) method = "other";
        return Series.GetOrAdd((method, RouteTemplate(context), context.Response.StatusCode), static key =>
            (Requests.WithLabels(ServiceInfo.Module, key.Method, key.Endpoint, key.Code.ToString(CultureInfo.InvariantCulture)),
                Duration.WithLabels(ServiceInfo.Module, key.Method, key.Endpoint)));
    }

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
