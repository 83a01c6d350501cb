using System.CommandLine;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Community.Api.Auth;
using Community.Api.Hosting;
using Community.Api.Http;

namespace Community.Api.Cli;

/// <summary>
/// <c>keys new --name N --scopes a,b</c>: a new service key from the operating system's cryptographic random generator,
/// printed as the environment lines that configure it. Nothing is stored: the service reads keys from its configuration.
/// </summary>
internal static partial class KeysCommand
{
    private const int KeyBytes = 32; // 256 bits; 43 characters of URL-safe base64, safe in env files and shells

    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = "The caller's name, as the audit log shows it (letters, digits, '.', '_', '-'; up to 64).", Required = true };
        var scopes = new Option<string>("--scopes") { Description = $"Comma-separated scopes: {string.Join(", ", Scopes.Known)}.", Required = true };
        var index = new Option<int?>("--index") { Description = "N in Auth__ApiKeys__N__…; default: the next one after the keys configured now." };
        var create = new Command("new", "Print a new random service key and the environment lines that configure it (stdout: the lines; stderr: what to do with them).")
        {
            name, scopes, index,
        };
        create.SetAction(OperatorCommandLine.Guard("keys new", (result, configuration, _) =>
            Task.FromResult(New(result.GetValue(name)!, result.GetValue(scopes)!, result.GetValue(index), configuration))));
        return new Command("keys", "Service keys (X-API-Key).") { create };
    }

    private static int New(string name, string scopeList, int? index, string[] configuration)
    {
        if (!ValidName().IsMatch(name))
            throw new StartupConfigurationException($"--name '{name}' must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit.");
        var scopes = scopeList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        if (scopes.Count == 0) throw new StartupConfigurationException($"--scopes names no scope; known scopes are {string.Join(", ", Scopes.Known)}.");
        if (scopes.FirstOrDefault(s => !Scopes.Known.Contains(s)) is { } unknown)
            throw new StartupConfigurationException($"--scopes has unknown scope '{unknown}'; known scopes are {string.Join(", ", Scopes.Known)}.");
        if (scopes.Contains(Scopes.All)) scopes = [Scopes.All];

        // The keys configured now, read as the service reads them, so the new lines add a key instead of replacing one.
        using var settings = ServiceHosting.CreateServiceBuilder(configuration).Configuration;
        var configured = settings.GetSection($"{AuthOptions.Section}:{nameof(AuthOptions.ApiKeys)}").GetChildren().ToList();
        if (configured.FirstOrDefault(k => k[nameof(ApiKeyOptions.Name)] == name) is { } same)
            throw new StartupConfigurationException($"A key named '{name}' is already configured (Auth__ApiKeys__{same.Key}); choose another name or remove that key first.");
        var n = index ?? configured.Select(k => int.TryParse(k.Key, out var i) ? i + 1 : 0).DefaultIfEmpty(0).Max();
        if (n < 0) throw new StartupConfigurationException("--index must be 0 or more.");
        if (index is not null && configured.Any(k => k.Key == n.ToString()))
            throw new StartupConfigurationException($"Auth__ApiKeys__{n} is already configured; choose a free --index or leave it out.");

        var key = Base64Url.Encode(RandomNumberGenerator.GetBytes(KeyBytes));
        Console.WriteLine($"Auth__ApiKeys__{n}__Name={name}");
        Console.WriteLine($"Auth__ApiKeys__{n}__Key={key}");
        for (var s = 0; s < scopes.Count; s++) Console.WriteLine($"Auth__ApiKeys__{n}__Scopes__{s}={scopes[s]}");
        Console.Error.WriteLine(
            $"New service key '{name}' ({string.Join(", ", scopes)}): put its Auth__ApiKeys__{n}__* lines into the environment of every instance and restart them; callers send the key as X-API-Key. It is shown only here.");
        return 0;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex ValidName();
}
