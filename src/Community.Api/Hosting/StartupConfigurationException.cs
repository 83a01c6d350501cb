namespace Community.Api.Hosting;

/// <summary>Configuration the service cannot start with. Its message is one sentence saying what to fix.</summary>
public sealed class StartupConfigurationException(string message) : Exception(message);
