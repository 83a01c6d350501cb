using Community.Api.Relay;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Relay;

/// <summary>An app whose relay (or whose second instances' relay) appends to a stream of its own on the shared test Redis.</summary>
public interface IRelayApp
{
    /// <summary>The stream's Redis key, unique to this app.</summary>
    string StreamKey { get; }
}

/// <summary>Relay settings of the test apps: a stream no other app writes to, and a short poll for events other instances wrote.</summary>
public static class RelayTestSettings
{
    public static string NewStream() => $"events:test-{Guid.NewGuid():N}";

    public static string KeyOf(string stream) => $"{RelayOptions.StreamPrefix}:{stream}";

    public static Dictionary<string, string?> With(IReadOnlyDictionary<string, string?> settings, string stream, bool enabled = true) =>
        new(settings) { ["Relay:Stream"] = stream, ["Relay:PollIntervalMilliseconds"] = "100", ["Relay:Enabled"] = enabled ? "true" : "false" };

    /// <summary>Turns the relay on in a <see cref="SecondInstance"/> of an app that has it off.</summary>
    public static readonly IReadOnlyDictionary<string, string?> RelayOn = new Dictionary<string, string?> { ["Relay:Enabled"] = "true" };
}

public sealed class RelaySqliteApp : RedisSqliteApp, IRelayApp
{
    private readonly string _stream = RelayTestSettings.NewStream();
    public string StreamKey => RelayTestSettings.KeyOf(_stream);
    protected internal override IReadOnlyDictionary<string, string?> Settings => RelayTestSettings.With(base.Settings, _stream);
}

public sealed class RelayPostgresApp : RedisPostgresApp, IRelayApp
{
    private readonly string _stream = RelayTestSettings.NewStream();
    public string StreamKey => RelayTestSettings.KeyOf(_stream);
    protected internal override IReadOnlyDictionary<string, string?> Settings => RelayTestSettings.With(base.Settings, _stream);
}

/// <summary>Relaying through a proxy the test can cut, to take Redis away from the relay while writes go on.</summary>
public sealed class RelayProxiedSqliteApp : RedisProxiedSqliteApp, IRelayApp
{
    private readonly string _stream = RelayTestSettings.NewStream();
    public string StreamKey => RelayTestSettings.KeyOf(_stream);
    protected internal override IReadOnlyDictionary<string, string?> Settings => RelayTestSettings.With(base.Settings, _stream);
}

public sealed class RelayProxiedPostgresApp : RedisProxiedPostgresApp, IRelayApp
{
    private readonly string _stream = RelayTestSettings.NewStream();
    public string StreamKey => RelayTestSettings.KeyOf(_stream);
    protected internal override IReadOnlyDictionary<string, string?> Settings => RelayTestSettings.With(base.Settings, _stream);
}

/// <summary>Writes with the relay off; the tests start and stop relaying instances beside it (<see cref="RelayTestSettings.RelayOn"/>).</summary>
public sealed class RelayOffSqliteApp : RedisSqliteApp, IRelayApp
{
    private readonly string _stream = RelayTestSettings.NewStream();
    public string StreamKey => RelayTestSettings.KeyOf(_stream);
    protected internal override IReadOnlyDictionary<string, string?> Settings => RelayTestSettings.With(base.Settings, _stream, enabled: false);
}

public sealed class RelayOffPostgresApp : RedisPostgresApp, IRelayApp
{
    private readonly string _stream = RelayTestSettings.NewStream();
    public string StreamKey => RelayTestSettings.KeyOf(_stream);
    protected internal override IReadOnlyDictionary<string, string?> Settings => RelayTestSettings.With(base.Settings, _stream, enabled: false);
}

/// <summary>Polling once a minute, so only a commit's wake-up can make the relay append within a test.</summary>
public sealed class SlowPollRelaySqliteApp : RedisSqliteApp, IRelayApp
{
    private readonly string _stream = RelayTestSettings.NewStream();
    public string StreamKey => RelayTestSettings.KeyOf(_stream);
    protected internal override IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?>(RelayTestSettings.With(base.Settings, _stream)) { ["Relay:PollIntervalMilliseconds"] = "60000" };
}

public sealed class SlowPollRelayPostgresApp : RedisPostgresApp, IRelayApp
{
    private readonly string _stream = RelayTestSettings.NewStream();
    public string StreamKey => RelayTestSettings.KeyOf(_stream);
    protected internal override IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?>(RelayTestSettings.With(base.Settings, _stream)) { ["Relay:PollIntervalMilliseconds"] = "60000" };
}
