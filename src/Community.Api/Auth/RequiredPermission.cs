using Microsoft.AspNetCore.Http.HttpResults;
using Community.Api.Http;

namespace Community.Api.Auth;

/// <summary>Which community a request's permission is decided in: none, one, or an answer instead (the resource naming it does not exist).</summary>
public readonly record struct CommunityTarget(long? CommunityId, ProblemHttpResult? Answer = null)
{
    public static CommunityTarget None => new(null);
}

/// <summary>
/// Endpoint metadata: the permission a route needs, declared where the route is mapped. Every endpoint declares one
/// (or is open with <c>AllowAnonymous</c>); an endpoint that declares nothing is refused (see <see cref="AuthSetup"/>).
/// </summary>
public sealed class RequiredPermission
{
    /// <summary>
    /// The permission, possibly chosen by the request: a user acting on itself needs less than on others, and an action
    /// on every community (no community given) needs more than on one.
    /// </summary>
    public required Func<Caller, EndpointFilterInvocationContext, CommunityTarget, Permission> Choose { get; init; }

    /// <summary>
    /// Every permission <see cref="Choose"/> may pick. The API description derives the operation's security, scopes and
    /// refusals from it, and the filter refuses to act on a choice outside it, so the two cannot drift apart.
    /// </summary>
    public required IReadOnlyList<Permission> OneOf { get; init; }

    /// <summary>The community the permission is decided in; null when the action names none.</summary>
    public Func<EndpointFilterInvocationContext, ValueTask<CommunityTarget>>? Community { get; init; }

    /// <summary>
    /// When set, every refusal is this answer instead (a resource the caller may not see looks missing), except a
    /// service key's missing scope, which says nothing about the resource.
    /// </summary>
    public Func<EndpointFilterInvocationContext, ProblemHttpResult>? RefuseAs { get; init; }

    /// <summary>
    /// Whether the handler uses <see cref="Access.Community"/>. When it does not, a service's decision may skip reading
    /// a community known to exist (see <see cref="KnownCommunities"/>), and the handler gets it null (its id is still
    /// <see cref="Access.CommunityId"/>, and <see cref="Access.ConfirmAsync"/> reads it under lock).
    /// </summary>
    public bool HandlerUsesCommunity { get; init; } = true;
}

/// <summary>Decides each request's declared permission once, before its handler runs, and hands the handler the <see cref="Access"/>.</summary>
public sealed class RequiredPermissionFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var required = http.GetEndpoint()?.Metadata.GetMetadata<RequiredPermission>()
            ?? throw new InvalidOperationException("The permission filter runs only on endpoints that declare a permission.");
        // The authorization middleware has already refused requests without valid credentials.
        var caller = Caller.From(http.User) ?? throw new InvalidOperationException("No caller on an authenticated request.");
        var rules = http.RequestServices.GetRequiredService<CommunityAccess>();
        var target = required.Community is null ? CommunityTarget.None : await required.Community(context);
        var permission = required.Choose(caller, context, target);
        if (!required.OneOf.Contains(permission))
            throw new InvalidOperationException($"{http.GetEndpoint()?.DisplayName} chose a permission it does not declare in OneOf.");
        if (caller.IsService && !caller.HasScope(permission.Scope)) return rules.Decide(caller, permission).Refusal;
        if (target.Answer is { } answer) return answer;

        var decision = target.CommunityId is { } id
            ? await rules.DecideAsync(caller, permission, id, required.HandlerUsesCommunity, http.RequestAborted)
            : rules.Decide(caller, permission);
        if (decision.Access is not { } access) return required.RefuseAs?.Invoke(context) ?? decision.Refusal;
        for (var i = 0; i < context.Arguments.Count; i++)
            if (ReferenceEquals(context.Arguments[i], Access.Unresolved)) context.Arguments[i] = access;
        return await next(context);
    }
}

/// <summary>How routes declare their permission.</summary>
public static class PermissionDeclarations
{
    /// <summary>The action names no community.</summary>
    public static TBuilder Requires<TBuilder>(this TBuilder builder, Permission permission) where TBuilder : IEndpointConventionBuilder =>
        builder.Requires(new RequiredPermission { Choose = (_, _, _) => permission, OneOf = [permission] });

    /// <summary>
    /// The action happens in the community of the route's <c>{id}</c>. A handler that never reads
    /// <see cref="Access.Community"/> says so (<paramref name="handlerUsesCommunity"/> false): a service's decision then
    /// need not read a community known to exist, and the handler gets it null (<see cref="Access.CommunityId"/> still names it).
    /// </summary>
    public static TBuilder RequiresInCommunity<TBuilder>(this TBuilder builder, Permission permission, bool handlerUsesCommunity = true)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequiresInCommunity([permission], (_, _) => permission, handlerUsesCommunity);

    /// <summary>
    /// The action happens in the community of the route's <c>{id}</c>; the request chooses the permission among
    /// <paramref name="oneOf"/>.
    /// </summary>
    public static TBuilder RequiresInCommunity<TBuilder>(this TBuilder builder, Permission[] oneOf, Func<Caller, EndpointFilterInvocationContext, Permission> choose,
        bool handlerUsesCommunity = true)
        where TBuilder : IEndpointConventionBuilder =>
        builder.Requires(new RequiredPermission
        {
            Choose = (caller, context, _) => choose(caller, context),
            OneOf = oneOf,
            Community = context => ValueTask.FromResult(new CommunityTarget(RouteId(context))),
            HandlerUsesCommunity = handlerUsesCommunity,
        });

    public static TBuilder Requires<TBuilder>(this TBuilder builder, RequiredPermission required) where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(required);
        builder.AddEndpointFilter<TBuilder, RequiredPermissionFilter>();
        return builder;
    }

    /// <summary>The route's <c>{id}</c>, which the route constraint has already made a <c>long</c>.</summary>
    public static long RouteId(EndpointFilterInvocationContext context) => context.RouteLong("id");

    /// <summary>A route value that a <c>:long</c> constraint has already checked.</summary>
    public static long RouteLong(this EndpointFilterInvocationContext context, string name) =>
        long.Parse((string)context.HttpContext.Request.RouteValues[name]!, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A query value as a <c>long</c>, or null when absent (a value that does not parse was already refused by binding).</summary>
    public static long? QueryLong(this EndpointFilterInvocationContext context, string name) =>
        long.TryParse(context.HttpContext.Request.Query[name], System.Globalization.NumberStyles.AllowLeadingSign,
            System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>
    /// The community a <c>community_id</c> query names. Users must name one (400 when they do not, as validation said
    /// before permissions were declared); services and super admins may omit it to act on every community.
    /// </summary>
    public static ValueTask<CommunityTarget> QueryCommunityOfUsers(this EndpointFilterInvocationContext context, string reason)
    {
        var id = context.QueryLong("community_id");
        var mustName = id is null && Caller.From(context.HttpContext.User) is { IsService: false, IsSuperAdmin: false };
        return ValueTask.FromResult(new CommunityTarget(id, mustName ? Problems.Validation("community_id", reason) : null));
    }

    /// <summary>The handler's bound argument of type <typeparamref name="T"/> (a request body, say).</summary>
    public static T Argument<T>(this EndpointFilterInvocationContext context) => context.Arguments.OfType<T>().First();
}
