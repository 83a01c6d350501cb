using Community.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Api.Platforms;

public static class PlatformProblems
{
    /// <summary>400 <c>unsupported_platform</c>, naming the platforms the module knows.</summary>
    public static ProblemHttpResult Unsupported(string? platform) =>
        Problems.Of(400, ErrorCodes.UnsupportedPlatform,
            $"Platform '{platform}' is not supported; use one of: {string.Join(", ", SupportedPlatforms.All)}.",
            new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["platform"] = ["Unsupported platform."] } });
}
