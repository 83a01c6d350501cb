using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Community.Api.Lookup;
using Community.Api.Members;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace Community.Api.Http;

/// <summary>
/// A 200 whose body <see cref="HotPathJson"/>'s generated code writes; the API description sees it as <c>Ok&lt;T&gt;</c>.
/// </summary>
public sealed class HotOk<T> : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>
{
    private readonly T _value;
    private readonly JsonTypeInfo<T> _typeInfo;

    internal HotOk(T value, JsonTypeInfo<T> typeInfo)
    {
        _value = value;
        _typeInfo = typeInfo;
    }

    public T? Value => _value;

    object? IValueHttpResult.Value => Value;

    public int? StatusCode => StatusCodes.Status200OK;

    /// <summary>
    /// Writes the whole body into the response's pipe, then flushes once. System.Text.Json runs the generated code for
    /// a synchronous write; its streaming write (what <c>Ok&lt;T&gt;</c> uses) turns it on only for bodies under half
    /// its buffer, which a page of members is not.
    /// </summary>
    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        using (var writer = new Utf8JsonWriter(response.BodyWriter)) JsonSerializer.Serialize(writer, _value, _typeInfo);
        return response.BodyWriter.FlushAsync(httpContext.RequestAborted).AsTask();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => DescribeAs<Ok<T>>(method, builder);

    private static void DescribeAs<TResult>(MethodInfo method, EndpointBuilder builder) where TResult : IEndpointMetadataProvider =>
        TResult.PopulateMetadata(method, builder);
}

public static class HotOk
{
    public static HotOk<Envelope<LookupResponse>> Of(Envelope<LookupResponse> body) => new(body, HotPathJson.Default.EnvelopeLookupResponse);

    public static HotOk<Envelope<ConnectorJoinResponse>> Of(Envelope<ConnectorJoinResponse> body) => new(body, HotPathJson.Default.EnvelopeConnectorJoinResponse);

    public static HotOk<Envelope<IReadOnlyList<MemberResponse>>> Of(Envelope<IReadOnlyList<MemberResponse>> body) =>
        new(body, HotPathJson.Default.EnvelopeIReadOnlyListMemberResponse);
}
