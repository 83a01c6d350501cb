namespace Community.Api.Hosting;

/// <summary>An options section that can say in one sentence what is wrong with it.</summary>
public interface ICheckedOptions
{
    /// <summary>Null when usable, else one sentence saying what to fix.</summary>
    string? Problem();
}

public static class CheckedOptions
{
    /// <summary>
    /// Binds <typeparamref name="T"/> to the section <paramref name="sectionName"/>, validated on start, and checks it
    /// now too, so that a bad value stops start-up with its one sentence instead of a stack trace. Returns the values
    /// read, for set-up decisions that depend on them.
    /// </summary>
    public static T AddCheckedOptions<T>(this IServiceCollection services, IConfiguration configuration, string sectionName)
        where T : class, ICheckedOptions, new()
    {
        var section = configuration.GetSection(sectionName);
        var options = section.Get<T>() ?? new T();
        if (options.Problem() is { } problem) throw new StartupConfigurationException(problem);
        services.AddOptions<T>().Bind(section).Validate(o => o.Problem() is null, $"The {sectionName} section is invalid.").ValidateOnStart();
        return options;
    }
}
