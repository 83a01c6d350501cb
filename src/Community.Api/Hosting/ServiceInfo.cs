using System.Reflection;

namespace Community.Api.Hosting;

public static class ServiceInfo
{
    public const string Module = "community_module";

    public static readonly string Version =
        typeof(ServiceInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
}
