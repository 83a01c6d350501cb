using System.Collections.Concurrent;
using System.Reflection;
using System.Text.RegularExpressions;
using Community.Api.Tests.Deploy;
using Community.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

[assembly: HostingStartup(typeof(ConfigurationReads.RecordingStartup))]

namespace Community.Api.Tests.Deploy;

/// <summary>
/// The configuration keys the service reads, learnt from the service rather than from a list someone keeps: the keys it
/// looks up while it starts (in Production, behind a configuration source that answers nothing and notes every key
/// asked for), and every key its options classes (those with a <c>Section</c> constant) can bind, since options bind on
/// first use and only where their section exists.
/// </summary>
public sealed partial class ConfigurationReads : IAsyncLifetime
{
    /// <summary>
    /// The recorder of the app being started here, if any. An assembly's hosting startup also runs for builders whose
    /// application is the test assembly itself (a plain <c>WebApplication.CreateBuilder()</c> in another test), so it
    /// acts only inside this fixture's own start.
    /// </summary>
    private static readonly AsyncLocal<Recorder?> Recording = new();

    private readonly string _database = Path.Combine(Path.GetTempPath(), "community-tests", $"{Guid.NewGuid():N}.db");
    private HashSet<string> _keys = [];

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_database)!);
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("DATABASE_URL", $"sqlite:{_database}");
            builder.UseSetting("ENCRYPTION_KEY", TestKeys.EncryptionKey);
            builder.UseSetting("Auth:Jwt:Secret", TestKeys.JwtSecret);
            builder.UseSetting("Auth:ApiKeys:0:Name", "deploy");
            builder.UseSetting("Auth:ApiKeys:0:Key", TestKeys.Admin);
            builder.UseSetting("Auth:ApiKeys:0:Scopes:0", "*");
            // The service reads most of its configuration while its builder is made, before a factory's own callbacks
            // run; a hosting startup runs inside CreateBuilder, so its source sees those reads too.
            builder.UseSetting(WebHostDefaults.HostingStartupAssembliesKey, typeof(RecordingStartup).Assembly.GetName().Name);
        });
        var recorder = new Recorder();
        Recording.Value = recorder;
        try
        {
            _ = factory.Server;
        }
        finally
        {
            Recording.Value = null;
        }
        _keys = recorder.Keys.Keys.Concat(OptionsKeys()).Select(Normalize).ToHashSet();
    }

    /// <summary>Every key the service's options classes bind: scalars by name, list elements by any index.</summary>
    private static IEnumerable<string> OptionsKeys() => typeof(Program).Assembly.GetTypes()
        .Select(t => (Type: t, Section: t.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } f ? (string?)f.GetValue(null) : null))
        .Where(o => o.Section is not null)
        .SelectMany(o => Bindable(o.Type, o.Section!));

    private static IEnumerable<string> Bindable(Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var key = $"{prefix}:{property.Name}";
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var element = propertyType != typeof(string) ? propertyType.GetInterfaces().Append(propertyType)
                .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0] : null;
            var (target, path) = element is null ? (propertyType, key) : (element, key + ":0");
            if (IsScalar(target)) yield return path;
            else foreach (var nested in Bindable(target, path)) yield return nested;
        }
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(Uri);

    /// <summary>
    /// Whether the service reads the environment variable <paramref name="name"/>: its configuration key (<c>__</c> for
    /// <c>:</c>, host settings without their <c>ASPNETCORE_</c>/<c>DOTNET_</c> prefix) is one it reads, any list index
    /// standing for any other.
    /// </summary>
    public bool ServiceReads(string name) => _keys.Contains(Normalize(HostPrefix().Replace(name, "").Replace("__", ":")));

    private static string Normalize(string key) => Index().Replace(key, ":#").ToUpperInvariant();

    public ValueTask DisposeAsync()
    {
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            try { File.Delete(_database + suffix); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }

    internal sealed class RecordingStartup : IHostingStartup
    {
        public void Configure(IWebHostBuilder builder)
        {
            if (Recording.Value is { } recorder) builder.ConfigureAppConfiguration((_, config) => config.Add(recorder));
        }
    }

    /// <summary>
    /// Last in line, so every lookup reaches it; it answers none and keeps nothing written to the configuration, so it
    /// changes nothing.
    /// </summary>
    private sealed class Recorder : ConfigurationProvider, IConfigurationSource
    {
        public ConcurrentDictionary<string, bool> Keys { get; } = new(StringComparer.OrdinalIgnoreCase);

        public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

        public override bool TryGet(string key, out string? value)
        {
            Keys.TryAdd(key, true);
            value = null;
            return false;
        }

        public override void Set(string key, string? value) { }
    }

    [GeneratedRegex("^(ASPNETCORE_|DOTNET_)", RegexOptions.IgnoreCase)]
    private static partial Regex HostPrefix();

    [GeneratedRegex(@":\d+(?=:|$)")]
    private static partial Regex Index();
}
