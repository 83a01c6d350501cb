using Community.Api.Hosting;

namespace Community.Api.Retention;

public static class RetentionSetup
{
    /// <summary>The retention options (validated at start-up), the pruner and its background job.</summary>
    public static void AddRetention(this WebApplicationBuilder builder)
    {
        builder.Services.AddCheckedOptions<RetentionOptions>(builder.Configuration, RetentionOptions.Section);
        builder.Services.AddScoped<Pruner>();
        builder.Services.AddHostedService<RetentionJob>();
    }
}
