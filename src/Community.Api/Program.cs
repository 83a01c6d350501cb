using Community.Api.Audit;
using Community.Api.Auth;
using Community.Api.Caching;
using Community.Api.Communities;
using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Hosting;
using Community.Api.Http;
using Community.Api.Identities;
using Community.Api.Lookup;
using Community.Api.Members;
using Community.Api.Operations;
using Community.Api.Platforms;
using Community.Api.Security;
using Community.Api.Settings;

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddServiceHosting();
    var database = builder.AddDatabase();
    builder.AddHttpConventions();
    builder.AddAuth();
    builder.AddRateLimits();
    builder.AddCaching(database);
    builder.AddServiceApi();
    builder.AddEvents();
    builder.Services.AddSingleton(TimeProvider.System);
    var secrets = SecretProtector.FromConfiguration(builder.Configuration, builder.Environment);
    builder.Services.AddSingleton(secrets);
    builder.Services.AddSingleton(new Cursors(secrets.DeriveKey("cursors/v1")));
    builder.Services.Configure<TierOptions>(builder.Configuration.GetSection(TierOptions.Section));
    builder.Services.AddScoped<Journal>();
    builder.Services.AddScoped<SettingsStore>();
    builder.Services.AddScoped<IdentityResolver>();
    builder.Services.AddScoped<UserMerger>();
    builder.Services.AddScoped<RouteCache>();
    builder.Services.AddScoped<Memberships>();
    builder.Services.AddScoped<JoinRequests>();

    var app = builder.Build();
    await app.Services.MigrateDatabaseAsync();
    if (args.Contains("migrate"))
        return 0; // `migrate`: the schema is current; do not serve.

    app.UseRequestMetrics();
    app.UseHttpConventions();
    app.UseAuthentication();
    app.UseRateLimits();
    app.UseAuthorization();
    app.UseMiddleware<IdempotencyMiddleware>();

    app.MapServiceApi();
    app.MapCommunitiesApi();
    app.MapPlatformsApi();
    app.MapSettingsApi();
    app.MapMembersApi();
    app.MapJoinRequestsApi();
    app.MapConnectorApi();
    app.MapLookupApi();
    app.MapIdentitiesApi();
    app.MapAuditLogApi();
    app.MapEventsApi();
    app.MapWebhooksApi();

    await app.RunAsync();
    return 0;
}
catch (StartupConfigurationException e)
{
    // One clear sentence, no stack trace: this is the operator's to fix.
    Console.Error.WriteLine($"community_module cannot start: {e.Message}");
    return 1;
}

/// <summary>The entry point, public so the tests' WebApplicationFactory can host it.</summary>
public partial class Program;
