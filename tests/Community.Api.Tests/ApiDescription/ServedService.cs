using Community.Api.Tests.Hosting;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.ApiDescription;

/// <summary>The built service as a real process on a free port (browsers and generated clients need a socket), on a fresh SQLite file.</summary>
public sealed class ServedService : IAsyncDisposable
{
    private readonly DirectoryInfo _directory;
    private readonly RunningService _service;

    private ServedService(DirectoryInfo directory, RunningService service) => (_directory, _service) = (directory, service);

    public string BaseUrl => _service.BaseUrl;

    /// <summary>A service key with every scope.</summary>
    public static string Key => TestKeys.Admin;

    public static async Task<ServedService> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("served-");
        var service = await ServiceProcess.ServeAsync(directory.FullName, new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DATABASE_URL"] = $"sqlite:{Path.Combine(directory.FullName, "community.db")}",
            ["ENCRYPTION_KEY"] = TestKeys.EncryptionKey,
            ["Auth__ApiKeys__0__Name"] = "api-description-tests",
            ["Auth__ApiKeys__0__Key"] = Key,
            ["Auth__ApiKeys__0__Scopes__0"] = "*",
        });
        return new ServedService(directory, service);
    }

    public async ValueTask DisposeAsync()
    {
        await _service.DisposeAsync();
        try { _directory.Delete(recursive: true); } catch (IOException) { }
    }
}
