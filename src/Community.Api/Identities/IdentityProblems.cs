using Community.Api.Http;
using Community.Api.Platforms;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Api.Identities;

/// <summary>Checks and refusals about platform accounts, shared by every endpoint that names one.</summary>
public static class IdentityProblems
{
    /// <summary>Checks a platform account (<paramref name="prefix"/> names a nested object); an unsupported platform is its own 400.</summary>
    public static ProblemHttpResult? Account(this FieldErrors errors, string? platform, string? platformUserId, string prefix = "")
    {
        if (platform is not null && !SupportedPlatforms.IsSupported(platform)) return PlatformProblems.Unsupported(platform);
        if (platform is null) errors.Add($"{prefix}platform", "Is required.");
        errors.Text($"{prefix}platform_user_id", platformUserId, 255, required: true);
        return null;
    }

    public static ProblemHttpResult NotFound(string platform, string platformUserId) =>
        Problems.NotFound(ErrorCodes.IdentityNotFound, $"No hub user has the {platform} account '{platformUserId}'.");
}
