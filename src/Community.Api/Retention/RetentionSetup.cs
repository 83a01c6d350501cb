using Community.Api.Hosting;

namespace Community.Api.Retention;

public static class RetentionSetup
{
    /// <summary>The retention options (validated at start-up), the pruner and its background job.</summary>
    public static void AddRetention(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(RetentionOptions.Section);
        // Checked here too, so a bad value stops start-up with one sentence instead of a stack trace.
        if ((section.Get<RetentionOptions>() ?? new RetentionOptions()).Problem() is { } problem) throw new StartupConfigurationException(problem);
        builder.Services.AddOptions<RetentionOptions>().Bind(section)
            .Validate(o => o.Problem() is null, "The Retention section is invalid.").ValidateOnStart();
        builder.Services.AddScoped<Pruner>();
        builder.Services.AddHostedService<RetentionJob>();
    }
}
