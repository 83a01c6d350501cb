namespace Community.Api.Auth;

/// <summary>
/// What a hub user needs for an action: any signed-in user, a least role in the community, or nothing (services only).
/// <see cref="UserRule.UsersOnly"/>: any signed-in user acting for itself, and no service whatever its scopes.
/// </summary>
public enum UserRule { SignedIn, Member, Moderator, Admin, Owner, ServiceOnly, UsersOnly }

/// <summary>One row of the role table: the service scope and the user rule for an action.</summary>
public sealed record Permission(string Scope, UserRule Users);

/// <summary>The role table of CONTRACT §3, the only place it is written down in code.</summary>
public static class Permissions
{
    /// <summary>Read a community and its platforms, settings and stats (a private one needs membership).</summary>
    public static readonly Permission ReadCommunity = new(Scopes.CommunitiesRead, UserRule.SignedIn);
    public static readonly Permission ReadMembers = new(Scopes.MembersRead, UserRule.Member);
    public static readonly Permission CreateCommunity = new(Scopes.CommunitiesWrite, UserRule.SignedIn);
    /// <summary>Update the community, its settings and platforms.</summary>
    public static readonly Permission UpdateCommunity = new(Scopes.CommunitiesWrite, UserRule.Admin);
    /// <summary>Deactivate, restore, transfer ownership.</summary>
    public static readonly Permission OwnCommunity = new(Scopes.CommunitiesWrite, UserRule.Owner);
    /// <summary>Add members directly, change roles, decide join requests.</summary>
    public static readonly Permission ManageMembers = new(Scopes.MembersWrite, UserRule.Admin);
    /// <summary>Self-join and leave: the user acts on itself.</summary>
    public static readonly Permission SelfMembership = new(Scopes.MembersWrite, UserRule.SignedIn);
    /// <summary>Remove (kick), ban, unban, timeout.</summary>
    public static readonly Permission Moderate = new(Scopes.ModerationWrite, UserRule.Moderator);
    /// <summary>Create, list and revoke invites (revoking another's invite needs admin: see <c>CommunityInvites.MayRevoke</c>).</summary>
    public static readonly Permission ManageInvites = new(Scopes.MembersWrite, UserRule.Moderator);
    /// <summary>Preview and accept an invite: a user joins for itself (a service adds members directly instead).</summary>
    public static readonly Permission UseInvite = new(Scopes.MembersWrite, UserRule.UsersOnly);
    public static readonly Permission AdjustReputation = new(Scopes.ReputationWrite, UserRule.ServiceOnly);
    public static readonly Permission ReadIdentities = new(Scopes.IdentitiesRead, UserRule.ServiceOnly);
    /// <summary>A user reading its own hub user and memberships.</summary>
    public static readonly Permission ReadSelf = new(Scopes.IdentitiesRead, UserRule.SignedIn);
    public static readonly Permission WriteIdentities = new(Scopes.IdentitiesWrite, UserRule.ServiceOnly);
    public static readonly Permission ReadEvents = new(Scopes.EventsRead, UserRule.Admin);
    /// <summary>The whole feed, every community's events: services and super admins only.</summary>
    public static readonly Permission ReadAllEvents = new(Scopes.EventsRead, UserRule.ServiceOnly);
    public static readonly Permission ManageWebhooks = new(Scopes.WebhooksWrite, UserRule.Admin);
    /// <summary>Webhooks of no one community receive every community's events: services and super admins only.</summary>
    public static readonly Permission ManageGlobalWebhooks = new(Scopes.WebhooksWrite, UserRule.ServiceOnly);
    public static readonly Permission ReadAuditLog = new(Scopes.CommunitiesRead, UserRule.Admin);
    /// <summary>The Router's routing lookup.</summary>
    public static readonly Permission Lookup = new(Scopes.CommunitiesRead, UserRule.ServiceOnly);
    /// <summary>Platform connectors reporting joins and leaves by platform ids.</summary>
    public static readonly Permission ConnectorMembership = new(Scopes.MembersWrite, UserRule.ServiceOnly);
}
