using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace Community.Api.Hosting;

/// <summary>Turns whatever stopped the service (or a command) into the one sentence an operator reads on stderr.</summary>
public static class StartupFailure
{
    public static string Describe(Exception e) => Sentence(e switch
    {
        StartupConfigurationException => e.Message,
        OptionsValidationException options => $"the configuration is invalid: {string.Join("; ", options.Failures)}",
        IOException { InnerException: AddressInUseException } =>
            $"{e.Message.TrimEnd('.')}; another process is listening there: stop it or set MODULE_PORT to a free port",
        IOException or UnauthorizedAccessException or SocketException => e.Message,
        _ => $"unexpected {e.GetType().Name}: {e.Message}",
    });

    /// <summary>One line ending in one full stop, however the message was written.</summary>
    private static string Sentence(string text)
    {
        var line = string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.TrimEnd('.', ' ') + ".";
    }
}
