using Community.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Identities;

public static class UserQueries
{
    /// <summary>The hub user with its platform accounts (primary first), or null.</summary>
    public static async Task<HubUserResponse?> RepresentUserAsync(this CommunityDb db, long id, CancellationToken ct)
    {
        var user = await db.HubUsers.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct);
        if (user is null) return null;
        var identities = await db.UserIdentities.AsNoTracking().Where(i => i.HubUserId == id)
            .OrderByDescending(i => i.IsPrimary).ThenBy(i => i.Id).ToListAsync(ct);
        return new HubUserResponse(user.Id, user.Username, user.Email, user.AvatarUrl, user.IsActive, user.MergedIntoId, user.CreatedAt,
            identities.Select(IdentityResponse.From).ToList());
    }
}
