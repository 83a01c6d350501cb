using System.CommandLine;
using System.Text.Json;
using Community.Api.Hosting;

namespace Community.Api.Cli;

/// <summary>
/// <c>healthcheck</c>: asks a running instance's <c>/healthz</c> and exits 0 when it answers 200 (healthy), 1 otherwise. A container's HEALTHCHECK runs this, so the image needs no curl.
/// </summary>
internal static class HealthcheckCommand
{
    public static Command Create()
    {
        var url = new Option<string?>("--url") { Description = "The health endpoint to ask; default http://127.0.0.1:MODULE_PORT/healthz (MODULE_PORT defaults to 8020)." };
        url.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } given && !IsHttpUrl(given)) r.AddError($"--url must be an http:// or https:// URL, not '{given}'.");
        });
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for the answer.", DefaultValueFactory = _ => 5 };
        timeout.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is not (> 0 and <= 300)) r.AddError("--timeout must be more than 0 and at most 300 seconds.");
        });
        var command = new Command("healthcheck", "Exit 0 when the running service's /healthz answers 200, 1 otherwise (for a container HEALTHCHECK; no curl needed).")
        {
            url, timeout,
        };
        command.SetAction(OperatorCommandLine.Guard("healthcheck", (result, configuration, ct) =>
            RunAsync(result.GetValue(url) is { } given ? new Uri(given) : null, TimeSpan.FromSeconds(result.GetValue(timeout)), configuration, ct)));
        return command;
    }

    private static async Task<int> RunAsync(Uri? url, TimeSpan timeout, string[] configuration, CancellationToken ct)
    {
        if (url is null)
        {
            // Only the port is needed: environment variables and --MODULE_PORT=…, not the whole service's configuration.
            var port = ServiceHosting.Port(new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(configuration).Build()["MODULE_PORT"]);
            url = new Uri($"http://127.0.0.1:{port}/healthz");
        }
        using var http = new HttpClient { Timeout = timeout };
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(url, ct);
        }
        catch (Exception e) when ((e is HttpRequestException or TaskCanceledException) && !ct.IsCancellationRequested)
        {
            var reason = e is TaskCanceledException ? $"no answer within {timeout.TotalSeconds:0.#} s" : e.GetBaseException().Message.TrimEnd('.');
            throw new StartupConfigurationException($"{url} cannot be reached ({reason}).");
        }
        using (response)
        {
            var (status, checks) = await ReadAsync(response, ct);
            if (!response.IsSuccessStatusCode)
                throw new StartupConfigurationException($"{url} answered {(int)response.StatusCode} {status ?? "(no status)"}{(checks.Length > 0 ? $" ({checks})" : "")}.");
            Console.WriteLine($"{status ?? "ok"}{(checks.Length > 0 ? $": {checks}" : "")}");
            return 0;
        }
    }

    private static bool IsHttpUrl(string text) => Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    /// <summary>The <c>status</c> and the checks of a <c>/healthz</c> body; nothing when it is not one.</summary>
    private static async Task<(string? Status, string Checks)> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
            var root = body.RootElement;
            var status = root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            var checks = root.TryGetProperty("checks", out var c) && c.ValueKind == JsonValueKind.Object
                ? string.Join(", ", c.EnumerateObject().Select(p => $"{p.Name} {p.Value}"))
                : "";
            return (status, checks);
        }
        catch (JsonException)
        {
            return (null, "");
        }
    }
}
