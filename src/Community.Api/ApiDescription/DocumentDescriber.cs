using Community.Api.Hosting;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Community.Api.ApiDescription;

/// <summary>
/// The document as a whole: what the API is and how its conventions work, its tags, its servers, and the operations
/// the framework cannot see (endpoints mapped as plain request delegates, such as <c>/metrics</c>), which are described
/// from their metadata like any other.
/// </summary>
internal sealed class DocumentDescriber : IOpenApiDocumentTransformer
{
    private static readonly Dictionary<string, string> TagNotes = new()
    {
        ["Service"] = "Health, readiness, metrics and status: open, unauthenticated and not rate-limited, for probes and scrapers.",
        ["Communities"] = "Create, read, list, change, deactivate and restore communities; transfer ownership; statistics.",
        ["Platforms"] = "A community's connections to Twitch channels, Discord servers, Slack workspaces and the like.",
        ["Settings"] = "A community's settings, one flat object of dotted keys with defaults merged in.",
        ["Members"] = "Memberships and roles, bans and timeouts, reputation, and the join requests of communities that approve joins.",
        ["Invites"] = "Invite codes: what admits a user to a community whose `join_mode` is `invite`.",
        ["Platform connectors"] = "The Member Join flow: connectors report joins and leaves by platform ids.",
        ["Lookup"] = "The Router's hot path: a chat message's community, member and ban state, from cache.",
        ["Identities"] = "Hub users and the platform accounts that resolve to them: resolve, link, unlink, merge.",
        ["Audit"] = "Who did what to whom in a community, with before and after.",
        ["Events"] = "The transactional outbox as an ordered feed: every state change, in commit order, never missed.",
        ["Webhooks"] = "Subscriptions that receive events as signed HTTP calls (Standard Webhooks), and their deliveries.",
    };

    private const string Overview = """
        Communities, members and roles, platform connections, settings and cross-platform identity for the WaddleBot
        platform.

        **Credentials.** Service keys (`X-API-Key`, with scopes) or Hub user tokens (`Authorization: Bearer`, HS256).
        Each operation names the scope a key needs and the least role a user needs in the community; super admins may do
        everything. Health, metrics, status and this document are open.

        **Success** bodies are `{"success": true, "data": …, "meta": …}`; `meta` appears on lists
        (`{"next_cursor", "limit"}`) and on the event feed.

        **Errors** are `application/problem+json` with a machine-readable `code`, `success: false` and `trace_id`; each
        operation lists the codes it can answer with. A path that matches no route is 404 `not_found` and a method a path
        does not take is 405 `method_not_allowed`, with or without credentials.

        **Lists** take `limit` (1–200, default 50) and an opaque, signed `cursor` (`meta.next_cursor`, `null` on the last page).

        **Writes:** `Idempotency-Key` on a POST makes a retry safe; `If-Match` with the `ETag` of a community or its
        settings makes a change fail with 412 instead of overwriting a newer one. Every answer carries `X-Correlation-ID`.
        Bodies over 1 MiB are 413; bodies that are not JSON are 415.
        """;

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Community Module API";
        document.Info.Version = ServiceInfo.Version;
        document.Info.Description = Overview;
        // Relative: the document describes whichever host serves it, and clients name their base address themselves.
        document.Servers = [new OpenApiServer { Url = "/", Description = "The service that serves this document." }];
        document.Security = null; // each operation says what it needs; the open ones need nothing
        ApiComponents.Ensure(document);
        AddUndescribedEndpoints(document, context.ApplicationServices);
        DescribeTags(document);
        // The framework's own problem schemas are replaced by the one Problem schema everywhere.
        document.Components!.Schemas?.Remove("ProblemDetails");
        document.Components.Schemas?.Remove("HttpValidationProblemDetails");
        return Task.CompletedTask;
    }

    /// <summary>Endpoints mapped as plain request delegates are invisible to the API explorer; a summary asks for them to be described.</summary>
    private static void AddUndescribedEndpoints(OpenApiDocument document, IServiceProvider services)
    {
        var endpoints = services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<System.Reflection.MethodInfo>() is null && e.Metadata.GetMetadata<IEndpointSummaryMetadata>() is not null);
        foreach (var endpoint in endpoints)
        {
            var path = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            var method = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Single()
                ?? throw new InvalidOperationException($"{endpoint.DisplayName} is described but takes every method.");
            var operation = new OpenApiOperation
            {
                OperationId = endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName,
                Summary = endpoint.Metadata.GetMetadata<IEndpointSummaryMetadata>()!.Summary,
                Description = endpoint.Metadata.GetMetadata<IEndpointDescriptionMetadata>()?.Description,
                Tags = endpoint.Metadata.GetOrderedMetadata<ITagsMetadata>().SelectMany(t => t.Tags)
                    .Select(t => new OpenApiTagReference(t, document)).ToHashSet(),
                Responses = new OpenApiResponses(),
            };
            foreach (var produces in endpoint.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>())
                operation.Responses[produces.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
                {
                    Description = produces.Description ?? "OK",
                    Content = produces.ContentTypes.ToDictionary(c => c, _ => new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } }),
                };
            OperationDescriber.Complete(operation, new DescribedEndpoint(method, endpoint.RoutePattern, endpoint.Metadata.ToList()), document);
            document.Paths ??= new OpenApiPaths();
            if (!document.Paths.TryGetValue(path, out var item)) document.Paths[path] = item = new OpenApiPathItem();
            ((OpenApiPathItem)item).AddOperation(HttpMethod.Parse(method), operation);
        }
    }

    private static void DescribeTags(OpenApiDocument document)
    {
        var used = document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []).SelectMany(o => o.Tags?.AsEnumerable() ?? []).Select(t => t.Name!).ToHashSet();
        document.Tags = TagNotes.Where(t => used.Contains(t.Key)).Select(t => new OpenApiTag { Name = t.Key, Description = t.Value })
            .Concat(used.Where(t => !TagNotes.ContainsKey(t)).Select(t => new OpenApiTag { Name = t }))
            .ToHashSet();
    }
}
