using Scalar.AspNetCore;

namespace Community.Api.ApiDescription;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c> and its reference page at <c>/docs/</c>, which works offline.</summary>
public static class ApiDescriptionSetup
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = "/docs";

    public static void AddApiDescription(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            o.CreateSchemaReferenceId = SchemaNames.For;
            o.AddSchemaTransformer<OptionalFields>();
            o.AddOperationTransformer<OperationDescriber>();
            o.AddDocumentTransformer<DocumentDescriber>();
        });

    public static void MapApiDescription(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi(DocumentPath).AllowAnonymous().DisableRateLimiting();
        // The page's script and styles are served from this assembly. Everything that would reach another host is off:
        // web fonts, telemetry, the AI agent and MCP, the developer tools (share, deploy, SDK generation) and the
        // button that opens the hosted API client. The in-page "Test Request" client stays: it calls this service.
        app.MapScalarApiReference(ReferencePath, o => o
                .WithTitle("Community Module API")
                .WithOpenApiRoutePattern(DocumentPath)
                .ExpandAllTags() // every operation's summary in the sidebar at once
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp()
                .HideDeveloperTools()
                .HideClientButton())
            .AllowAnonymous().DisableRateLimiting();
    }
}
