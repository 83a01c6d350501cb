using Microsoft.Extensions.Options;

namespace Community.Api.Retention;

/// <summary>
/// Runs a <see cref="Pruner"/> pass every <see cref="RetentionOptions.IntervalSeconds"/> (jittered, first one after an
/// interval, so instances started together do not prune together). Every instance may run it; see <see cref="Pruner"/>.
/// </summary>
public sealed class RetentionJob(IServiceScopeFactory scopes, IOptions<RetentionOptions> options, ILogger<RetentionJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(o.IntervalSeconds * (0.75 + Random.Shared.NextDouble() / 2)), stoppingToken);
                await using var scope = scopes.CreateAsyncScope();
                var counts = await scope.ServiceProvider.GetRequiredService<Pruner>().RunAsync(dryRun: false, stoppingToken);
                if (counts.Total > 0)
                    logger.LogInformation("Retention deleted {Events} events, {Deliveries} webhook deliveries, {Keys} idempotency keys and {Audit} audit entries",
                        counts.Events, counts.WebhookDeliveries, counts.IdempotencyKeys, counts.AuditLog);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return; // a batch cut short is rolled back; the next start carries on
            }
            catch (Exception e)
            {
                logger.LogError(e, "Retention pass failed; trying again after the interval");
            }
        }
    }
}
