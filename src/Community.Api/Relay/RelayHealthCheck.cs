using Community.Api.Data;
using Community.Api.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Community.Api.Relay;

/// <summary>
/// The <c>relay</c> check of <c>/healthz</c>: degraded while the relay cannot append to Redis, or while the oldest event
/// it has not appended is older than <see cref="RelayOptions.MaxLagSeconds"/>. The lag is read from the database on
/// every check, so it holds for the shared position whichever instance relays.
/// </summary>
public sealed class RelayHealthCheck(StreamRelay relay, IConnectionMultiplexer redis, IServiceScopeFactory scopes,
    IOptions<RelayOptions> options, TimeProvider clock) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
    {
        if (!redis.IsConnected || relay.RedisFailure is not null)
            return new HealthCheckResult(context.Registration.FailureStatus, "The relay cannot reach Redis.");
        var bound = options.Value.MaxLagSeconds;
        if (bound == 0) return HealthCheckResult.Healthy();
        await using var scope = scopes.CreateAsyncScope();
        var lag = await OutboxRelay.LagAsync(scope.ServiceProvider.GetRequiredService<CommunityDb>(), relay.StreamKey, clock.UtcNow(), ct);
        return lag.Seconds > bound
            ? new HealthCheckResult(context.Registration.FailureStatus, $"The relay is {lag.Events} events and {lag.Seconds:F0} s behind.")
            : HealthCheckResult.Healthy();
    }
}
