namespace Community.Api.Auth;

/// <summary>Service-key scopes of CONTRACT §3. <c>*</c> grants them all.</summary>
public static class Scopes
{
    public const string All = "*";
    public const string CommunitiesRead = "communities:read";
    public const string CommunitiesWrite = "communities:write";
    public const string MembersRead = "members:read";
    public const string MembersWrite = "members:write";
    public const string IdentitiesRead = "identities:read";
    public const string IdentitiesWrite = "identities:write";
    public const string ReputationWrite = "reputation:write";
    public const string ModerationWrite = "moderation:write";
    public const string EventsRead = "events:read";
    public const string WebhooksWrite = "webhooks:write";

    public static readonly string[] Known =
    [
        All, CommunitiesRead, CommunitiesWrite, MembersRead, MembersWrite, IdentitiesRead, IdentitiesWrite,
        ReputationWrite, ModerationWrite, EventsRead, WebhooksWrite,
    ];
}
