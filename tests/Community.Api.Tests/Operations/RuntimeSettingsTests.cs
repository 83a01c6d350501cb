using System.Text.Json;

namespace Community.Api.Tests.Operations;

/// <summary>The runtime settings the service ships with, read from the runtimeconfig.json its build writes.</summary>
public sealed class RuntimeSettingsTests
{
    [Fact]
    public void IdleThreadPoolThreadsBlockInsteadOfSpinning()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "Community.Api.runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(file));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.Equal(0, properties.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32());
    }
}
