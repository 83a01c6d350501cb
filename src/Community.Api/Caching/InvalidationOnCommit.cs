using System.Text.Json;
using Community.Api.Events;

namespace Community.Api.Caching;

/// <summary>
/// Turns each committed event into the cache tags it makes stale, computed from the event's own ids (community, hub
/// user, platform accounts, channels), so no write has to remember to invalidate and no invalidation needs a query.
/// One membership change drops only the entries that show that membership.
/// </summary>
public sealed class InvalidationOnCommit(CacheInvalidator invalidator) : ICommittedEventHandler
{
    /// <summary>Event types that change nothing a cache holds.</summary>
    public static readonly IReadOnlySet<string> Unrelated = new HashSet<string> { EventTypes.JoinRequested, EventTypes.JoinRejected, EventTypes.InviteCreated, EventTypes.InviteRevoked };

    public void OnCommitted(IReadOnlyList<OutboxEvent> events)
    {
        var tags = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in events) AddTags(e, tags);
        invalidator.Invalidate(tags);
    }

    /// <summary>Adds the tags <paramref name="e"/> makes stale; false for a type this mapping does not know.</summary>
    public static bool AddTags(OutboxEvent e, ISet<string> tags)
    {
        using var document = JsonDocument.Parse(e.DataJson);
        var data = document.RootElement;
        switch (e.Type)
        {
            case EventTypes.MemberJoined or EventTypes.MemberLeft or EventTypes.MemberRemoved or EventTypes.MemberRoleChanged
                or EventTypes.MemberBanned or EventTypes.MemberUnbanned or EventTypes.MemberReputationChanged:
                AddMembership(data.GetProperty("member"), tags);
                return true;
            case EventTypes.OwnershipTransferred:
                tags.Add(CacheTags.Membership(e.CommunityId!.Value, data.GetProperty("previous_owner_id").GetInt64()));
                tags.Add(CacheTags.Membership(e.CommunityId!.Value, data.GetProperty("new_owner_id").GetInt64()));
                return true;
            case EventTypes.CommunityCreated or EventTypes.CommunityUpdated or EventTypes.CommunityDeactivated or EventTypes.CommunityRestored:
                tags.Add(CacheTags.Community(e.CommunityId!.Value));
                tags.Add(CacheTags.Settings(e.CommunityId!.Value));
                return true;
            case EventTypes.PlatformConnected or EventTypes.PlatformDisconnected:
                var connection = data.GetProperty("connection");
                tags.Add(CacheTags.PlatformCommunity(connection.GetProperty("platform").GetString()!, connection.GetProperty("platform_community_id").GetString()!));
                return true;
            case EventTypes.SettingsUpdated:
                tags.Add(CacheTags.Settings(e.CommunityId!.Value));
                return true;
            case EventTypes.UserCreated or EventTypes.IdentityLinked or EventTypes.IdentityUnlinked:
                // A user made by POST /users has no account yet; one made by resolving an account, or a link, names it.
                if (data.TryGetProperty("identity", out var identity)) AddIdentity(identity, tags);
                return true;
            case EventTypes.UserMerged:
                foreach (var moved in data.GetProperty("identities").EnumerateArray()) AddIdentity(moved, tags);
                foreach (var member in data.GetProperty("memberships").EnumerateArray()) AddMembership(member, tags);
                return true;
            default:
                return Unrelated.Contains(e.Type);
        }
    }

    private static void AddMembership(JsonElement member, ISet<string> tags) =>
        tags.Add(CacheTags.Membership(member.GetProperty("community_id").GetInt64(), member.GetProperty("hub_user_id").GetInt64()));

    private static void AddIdentity(JsonElement identity, ISet<string> tags) =>
        tags.Add(CacheTags.Identity(identity.GetProperty("platform").GetString()!, identity.GetProperty("platform_user_id").GetString()!));
}
