using Community.Api.Audit;
using Community.Api.Auth;
using Community.Api.Caching;
using Community.Api.Cli;
using Community.Api.Communities;
using Community.Api.Data;
using Community.Api.Data.Replica;
using Community.Api.Events;
using Community.Api.Hosting;
using Community.Api.Http;
using Community.Api.Identities;
using Community.Api.Invites;
using Community.Api.Idempotency;
using Community.Api.JoinRequests;
using Community.Api.Lookup;
using Community.Api.Members;
using Community.Api.Operations;
using Community.Api.Platforms;
using Community.Api.Relay;
using Community.Api.Reputation;
using Community.Api.Retention;
using Community.Api.Security;
using Community.Api.Settings;
using Community.Api.Webhooks;

// Serving is the default; `migrate`, `check`, `keys new`, `rotate-encryption`, `healthcheck`, `seed` and `prune` are in Cli/.
return await OperatorCommandLine.RunAsync(args);

/// <summary>The entry point, public so the tests' WebApplicationFactory can host it.</summary>
public partial class Program
{
    /// <summary>The whole service, configured from appsettings, the environment and <paramref name="args"/>; not started.</summary>
    internal static WebApplication BuildService(string[] args, Action<WebApplicationBuilder>? adjust = null)
    {
        var builder = ServiceHosting.CreateServiceBuilder(args);
        builder.AddServiceHosting();
        adjust?.Invoke(builder);
        var database = builder.AddDatabase();
        builder.AddHttpConventions();
        builder.AddAuth();
        builder.AddRateLimits();
        builder.AddCaching(database);
        builder.AddServiceApi();
        builder.AddEvents();
        builder.AddWebhooks();
        builder.AddRelay();
        builder.AddRetention();
        builder.Services.AddSingleton(TimeProvider.System);
        var secrets = SecretProtector.FromConfiguration(builder.Configuration, builder.Environment);
        builder.Services.AddSingleton(secrets);
        builder.Services.AddSingleton(new Cursors(secrets.DeriveKey("cursors/v1")));
        builder.Services.Configure<TierOptions>(builder.Configuration.GetSection(TierOptions.Section));
        builder.Services.AddScoped<SettingsStore>();
        builder.Services.AddScoped<IdentityResolver>();
        builder.Services.AddScoped<UserMerger>();
        builder.Services.AddScoped<RouteCache>();
        builder.Services.AddSingleton<JoinSightings>();
        builder.Services.AddScoped<Memberships>();
        builder.Services.AddScoped<SelfJoinGate>();
        builder.Services.AddScoped<CommunityInvites>();
        builder.Services.AddScoped<InviteAcceptance>();
        return builder.Build();
    }

    /// <summary>The middleware pipeline and every feature's endpoints.</summary>
    internal static void MapService(WebApplication app)
    {
        app.UseRequestMetrics();
        app.UseHttpConventions();
        app.UseRouting();
        app.UseUnroutedRequests(); // 404 and 405 before authentication: whoever asks gets the same answer
        app.UseAuthentication();
        app.UseRateLimits();
        app.UseReadYourWrites(); // after the rate limit: a refused request wrote nothing
        app.UseAuthorization();
        app.UseMiddleware<IdempotencyMiddleware>();

        app.MapServiceApi();
        app.MapCommunitiesApi();
        app.MapPlatformsApi();
        app.MapSettingsApi();
        app.MapMembersApi();
        app.MapReputationApi();
        app.MapJoinRequestsApi();
        app.MapInvitesApi();
        app.MapConnectorApi();
        app.MapLookupApi();
        app.MapIdentitiesApi();
        app.MapAuditLogApi();
        app.MapEventsApi();
        app.MapWebhooksApi();
    }
}
