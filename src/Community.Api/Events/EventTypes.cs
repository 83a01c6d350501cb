namespace Community.Api.Events;

/// <summary>Every event type the outbox carries.</summary>
public static class EventTypes
{
    public const string CommunityCreated = "community.created";
    public const string CommunityUpdated = "community.updated";
    public const string CommunityDeactivated = "community.deactivated";
    public const string CommunityRestored = "community.restored";
    public const string OwnershipTransferred = "community.ownership_transferred";
    public const string MemberJoined = "member.joined";
    public const string MemberLeft = "member.left";
    public const string MemberRemoved = "member.removed";
    public const string MemberRoleChanged = "member.role_changed";
    public const string MemberBanned = "member.banned";
    public const string MemberUnbanned = "member.unbanned";
    public const string MemberReputationChanged = "member.reputation_changed";
    public const string JoinRequested = "member.join_requested";
    public const string JoinRejected = "member.join_rejected";
    public const string InviteCreated = "invite.created";
    public const string InviteRevoked = "invite.revoked";
    public const string PlatformConnected = "platform.connected";
    public const string PlatformDisconnected = "platform.disconnected";
    public const string SettingsUpdated = "settings.updated";
    public const string UserCreated = "user.created";
    public const string UserMerged = "user.merged";
    public const string IdentityLinked = "identity.linked";
    public const string IdentityUnlinked = "identity.unlinked";

    public static readonly string[] All =
    [
        CommunityCreated, CommunityUpdated, CommunityDeactivated, CommunityRestored, OwnershipTransferred,
        MemberJoined, MemberLeft, MemberRemoved, MemberRoleChanged, MemberBanned, MemberUnbanned, MemberReputationChanged,
        JoinRequested, JoinRejected, InviteCreated, InviteRevoked, PlatformConnected, PlatformDisconnected, SettingsUpdated, UserCreated, UserMerged,
        IdentityLinked, IdentityUnlinked,
    ];
}
