using Community.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Api.Communities;

public static class CommunityProblems
{
    /// <summary>409 <c>community_inactive</c>: the community is deactivated.</summary>
    public static ProblemHttpResult Inactive(long id) =>
        Problems.Conflict(ErrorCodes.CommunityInactive, $"Community {id} is deactivated; restore it first.");

    public static ProblemHttpResult NameTaken(string? name) =>
        Problems.Conflict(ErrorCodes.CommunityNameTaken, $"A community named '{name}' already exists (names are unique regardless of case).");
}
