using System.Globalization;
using System.Security.Claims;
using System.Text.Json;

namespace Community.Api.Auth;

public enum CallerKind { Service, User }

/// <summary>
/// Who is calling: a service (by key name, with scopes) or a hub user (by id, maybe a super admin).
/// Handlers take it as a parameter; minimal APIs bind it from the authenticated principal.
/// </summary>
public sealed record Caller(CallerKind Kind, string Name, long? HubUserId, bool IsSuperAdmin, IReadOnlySet<string> Scopes)
{
    public bool IsService => Kind == CallerKind.Service;

    public bool HasScope(string scope) => Scopes.Contains(Auth.Scopes.All) || Scopes.Contains(scope);

    /// <summary>How the audit log names this caller: the service key's name or the hub user's id.</summary>
    public string ActorType => IsService ? "service" : "user";
    public string ActorId => IsService ? Name : HubUserId!.Value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The caller's identity for partitioning rate limits and idempotency keys.</summary>
    public string Key => $"{ActorType}:{ActorId}";

    public static ValueTask<Caller?> BindAsync(HttpContext context) => ValueTask.FromResult(From(context.User));

    public static Caller? From(ClaimsPrincipal principal)
    {
        if (principal is ServiceKeyPrincipal service) return service.Caller;
        if (principal.Identity?.IsAuthenticated != true) return null;
        var id = HubUserIdOf(principal);
        return id is null ? null : new Caller(CallerKind.User, $"user:{id}", id, IsSuperAdminToken(principal), new HashSet<string>());
    }

    /// <summary>The hub user id of a Hub token: claim <c>sub</c>, or the Hub's own <c>userId</c>.</summary>
    public static long? HubUserIdOf(ClaimsPrincipal principal)
    {
        var raw = principal.FindFirstValue("sub") ?? principal.FindFirstValue("userId");
        return long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;
    }

    private static bool IsSuperAdminToken(ClaimsPrincipal principal) =>
        principal.FindAll(c => c.Type is "is_super_admin" or "isSuperAdmin").Any(c => bool.TryParse(c.Value, out var b) && b)
        || principal.FindAll("roles").Any(c => c.Value == "super_admin" || RolesArrayContainsSuperAdmin(c.Value));

    // Some token libraries put a JSON array of roles in one claim value.
    private static bool RolesArrayContainsSuperAdmin(string value)
    {
        if (!value.StartsWith('[')) return false;
        try { return JsonSerializer.Deserialize<string[]>(value)?.Contains("super_admin") == true; }
        catch (JsonException) { return false; }
    }
}

public static class CallerClaims
{
    public const string Kind = "caller_kind";
    public const string Service = "service";
    public const string Name = "name";
    public const string Scope = "scope";
}
