using System.Globalization;
using Microsoft.Extensions.Logging.Console;

namespace Community.Api.Hosting;

/// <summary>Port, logging and shutdown as CONTRACT §1 describes them.</summary>
public static class ServiceHosting
{
    public const int DefaultPort = 8020;

    /// <summary>
    /// Supplies the environment only when none is given explicitly (<c>ASPNETCORE_ENVIRONMENT</c>, <c>DOTNET_ENVIRONMENT</c>,
    /// <c>--environment</c>). The launch profile sets it to Development, so a plain <c>dotnet run</c> is Development while
    /// <c>ASPNETCORE_ENVIRONMENT=Production dotnet run</c> really is Production.
    /// </summary>
    public const string DefaultEnvironmentVariable = "COMMUNITY_DEFAULT_ENVIRONMENT";

    /// <summary>
    /// The builder every command starts from. Its content root is the application's own directory, so appsettings*.json
    /// are read wherever the service is started from (an explicit <c>--contentRoot</c> or <c>ASPNETCORE_CONTENTROOT</c> still wins).
    /// </summary>
    public static WebApplicationBuilder CreateServiceBuilder(string[] args)
    {
        var given = new ConfigurationBuilder()
            .AddEnvironmentVariables("DOTNET_").AddEnvironmentVariables("ASPNETCORE_").AddCommandLine(args).Build();
        return WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = string.IsNullOrWhiteSpace(given[HostDefaults.ContentRootKey]) ? AppContext.BaseDirectory : null,
            EnvironmentName = string.IsNullOrWhiteSpace(given[HostDefaults.EnvironmentKey])
                ? Environment.GetEnvironmentVariable(DefaultEnvironmentVariable) is { Length: > 0 } fallback ? fallback : null
                : null,
        });
    }

    public static void AddServiceHosting(this WebApplicationBuilder builder)
    {
        // --urls and ASPNETCORE_URLS both arrive as "urls" and win; otherwise MODULE_PORT (default 8020) on every interface.
        if (string.IsNullOrWhiteSpace(builder.Configuration["urls"]))
            builder.WebHost.UseUrls($"http://*:{Port(builder.Configuration["MODULE_PORT"])}");

        builder.Configuration["Logging:LogLevel:Default"] = LogLevelOf(builder.Configuration["LOG_LEVEL"]).ToString();
        builder.Logging.ClearProviders();
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        if (builder.Environment.IsDevelopment())
            builder.Logging.AddSimpleConsole(o => { o.IncludeScopes = true; o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        else
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });

        // Graceful shutdown: stop accepting, let requests and the webhook dispatcher finish their current work.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
    }

    /// <summary>The port <c>MODULE_PORT</c> names, or 8020 when it is unset.</summary>
    internal static int Port(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return DefaultPort;
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? port
            : throw new StartupConfigurationException($"MODULE_PORT must be a port number between 1 and 65535, not '{value}'.");
    }

    private static LogLevel LogLevelOf(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        null or "" or "INFO" or "INFORMATION" => LogLevel.Information,
        "DEBUG" => LogLevel.Debug,
        "TRACE" => LogLevel.Trace,
        "WARNING" or "WARN" => LogLevel.Warning,
        "ERROR" => LogLevel.Error,
        "CRITICAL" => LogLevel.Critical,
        _ => throw new StartupConfigurationException($"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not '{value}'."),
    };
}
