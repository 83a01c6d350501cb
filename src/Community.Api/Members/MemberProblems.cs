using Community.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Api.Members;

public static class MemberProblems
{
    public static ProblemHttpResult Banned(long communityId, long hubUserId) =>
        Problems.Forbidden(ErrorCodes.MemberBanned, $"Hub user {hubUserId} is banned from community {communityId}; every linked platform account is covered.");

    public static ProblemHttpResult OwnerCannotLeave(long communityId) =>
        Problems.Conflict(ErrorCodes.OwnerCannotLeave, $"The owner cannot leave or be removed from community {communityId}; transfer ownership first.");
}
