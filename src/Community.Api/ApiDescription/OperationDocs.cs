namespace Community.Api.ApiDescription;

/// <summary>Endpoint metadata: the problem codes the handler itself answers with (the pipeline's and the permission's are derived).</summary>
public sealed record ProblemCodes(IReadOnlyList<string> Codes);

/// <summary>Endpoint metadata: the event types a successful call records in the outbox.</summary>
public sealed record EmittedEvents(IReadOnlyList<string> Types);

/// <summary>Endpoint metadata: a typical request body, shown in the reference page and checked against the schema by the linter.</summary>
public sealed record RequestExample(object Value);

/// <summary>Endpoint metadata: what one success status means, for operations with more than one.</summary>
public sealed record ResponseNote(int StatusCode, string Description);

/// <summary>
/// Endpoint metadata: the response carries an <c>ETag</c>; <see cref="IfMatch"/> makes a stale <c>If-Match</c> 412,
/// <see cref="IfNoneMatch"/> makes a current <c>If-None-Match</c> 304.
/// </summary>
public sealed record EntityTagUse(bool IfMatch, bool IfNoneMatch);

/// <summary>How a route describes itself beyond <c>WithName</c>, <c>WithSummary</c> and <c>WithDescription</c>.</summary>
public static class OperationDocs
{
    /// <summary>The problem codes the handler answers with; see <see cref="ProblemCatalog"/> for their statuses.</summary>
    public static TBuilder WithProblems<TBuilder>(this TBuilder builder, params string[] codes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProblemCodes(codes));

    public static TBuilder Emits<TBuilder>(this TBuilder builder, params string[] eventTypes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new EmittedEvents(eventTypes));

    /// <summary>A request body as a client would send it: a contract record, so it cannot drift from the schema unnoticed.</summary>
    public static TBuilder WithRequestExample<TBuilder>(this TBuilder builder, object example) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestExample(example));

    public static TBuilder WithResponseNote<TBuilder>(this TBuilder builder, int statusCode, string description) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ResponseNote(statusCode, description));

    public static TBuilder WithETag<TBuilder>(this TBuilder builder, bool ifMatch = false, bool ifNoneMatch = false) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new EntityTagUse(ifMatch, ifNoneMatch));
}
