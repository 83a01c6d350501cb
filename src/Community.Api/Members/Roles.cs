namespace Community.Api.Members;

/// <summary>The community role hierarchy, highest first: owner &gt; admin &gt; moderator &gt; member.</summary>
public static class Roles
{
    public const string Owner = "owner";
    public const string Admin = "admin";
    public const string Moderator = "moderator";
    public const string Member = "member";
    public static readonly string[] All = [Owner, Admin, Moderator, Member];

    /// <summary>Higher is stronger; 0 for anything that is not a role.</summary>
    public static int Rank(string? role) => role switch
    {
        Owner => 4,
        Admin => 3,
        Moderator => 2,
        Member => 1,
        _ => 0,
    };

    public static bool IsValid(string? role) => Rank(role) > 0;

    /// <summary>The least role that outranks <paramref name="role"/> (the owner is outranked by nobody).</summary>
    public static string Above(string role) => role switch
    {
        Member => Moderator,
        Moderator => Admin,
        _ => Owner,
    };
}
