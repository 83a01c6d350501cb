using System.Security.Claims;
using Community.Api.Auth;
using Community.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Api.Tests.Auth;

/// <summary>
/// Authorization is declared where routes are mapped, and the default is deny: every endpoint either is open
/// (<c>AllowAnonymous</c>) or declares the permission it needs, and one that declares nothing is refused even to
/// valid credentials.
/// </summary>
public sealed class DeclaredPermissionTests(SqliteApp app) : ApiTest(app), IClassFixture<SqliteApp>
{
    [Fact]
    public void EveryMappedEndpointIsOpenOrDeclaresItsPermission()
    {
        var endpoints = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.True(endpoints.Count > 40, $"Only {endpoints.Count} endpoints were found: the enumeration is broken.");

        var undeclared = endpoints
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null && e.Metadata.GetMetadata<RequiredPermission>() is null)
            .Select(e => $"{string.Join(",", e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"])} {e.RoutePattern.RawText}")
            .ToList();
        Assert.True(undeclared.Count == 0, "Endpoints without a declared permission: " + string.Join("; ", undeclared));
    }

    [Fact]
    public async Task AnEndpointThatDeclaresNothingIsRefusedEvenToValidCredentials()
    {
        var signedIn = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "1")], "test"));

        Assert.False(await AuthorizeAsync(signedIn, new EndpointMetadataCollection()));
        Assert.True(await AuthorizeAsync(signedIn, new EndpointMetadataCollection(new RequiredPermission { Choose = (_, _, _) => Permissions.ReadSelf, OneOf = [Permissions.ReadSelf] })));
        Assert.False(await AuthorizeAsync(new ClaimsPrincipal(new ClaimsIdentity()), new EndpointMetadataCollection(
            new RequiredPermission { Choose = (_, _, _) => Permissions.ReadSelf, OneOf = [Permissions.ReadSelf] })));
    }

    [Fact]
    public async Task ARouteThatChoosesAPermissionItDoesNotDeclareIsStoppedBeforeItsHandler()
    {
        // The API description derives security from OneOf; a choice outside it would make the document lie.
        var declared = new RequiredPermission { Choose = (_, _, _) => Permissions.ReadCommunity, OneOf = [Permissions.ReadSelf] };
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "7")], "test"));
        await using var scope = App.Services.CreateAsyncScope();
        var http = new DefaultHttpContext { User = user, RequestServices = scope.ServiceProvider };
        http.SetEndpoint(new Endpoint(_ => Task.CompletedTask, new EndpointMetadataCollection(declared), "under test"));
        var handlerRan = false;

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(async () => await new RequiredPermissionFilter().InvokeAsync(
            new DefaultEndpointFilterInvocationContext(http), _ => { handlerRan = true; return ValueTask.FromResult<object?>(null); }));
        Assert.Contains("OneOf", thrown.Message);
        Assert.False(handlerRan);
    }

    /// <summary>Runs the policy that applies to endpoints without authorization metadata of their own.</summary>
    private async Task<bool> AuthorizeAsync(ClaimsPrincipal user, EndpointMetadataCollection metadata)
    {
        var policy = await App.Services.GetRequiredService<IAuthorizationPolicyProvider>().GetFallbackPolicyAsync();
        Assert.NotNull(policy);
        var http = new DefaultHttpContext { User = user };
        http.SetEndpoint(new Endpoint(_ => Task.CompletedTask, metadata, "under test"));
        var result = await App.Services.GetRequiredService<IAuthorizationService>().AuthorizeAsync(user, http, policy);
        return result.Succeeded;
    }
}
