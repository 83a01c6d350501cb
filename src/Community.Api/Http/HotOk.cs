using System.Buffers;
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
    /// Serializes the whole body first, then sends it with its length in one write. System.Text.Json runs the generated
    /// code for a synchronous write; its streaming write (what <c>Ok&lt;T&gt;</c> uses) turns it on only for bodies under
    /// half its buffer, which a page of members is not. With the length known the response is not chunked: a flushed
    /// chunked body left its closing chunk to a second send (and a second packet for the client) once the handler returned.
    /// </summary>
    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        var body = SerializationBuffer.Rent();
        try
        {
            using (var writer = new Utf8JsonWriter(body)) JsonSerializer.Serialize(writer, _value, _typeInfo);
            response.ContentLength = body.WrittenCount;
            response.BodyWriter.Write(body.WrittenSpan);
        }
        finally
        {
            SerializationBuffer.Return(body);
        }
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

/// <summary>
/// One reusable serialization buffer per thread: a body is serialized and copied out synchronously, so no two
/// serializations on a thread overlap. One that grew past <see cref="MaxKept"/> bytes (a body far larger than any page)
/// is dropped rather than kept for the thread's lifetime.
/// </summary>
internal static class SerializationBuffer
{
    private const int MaxKept = 256 * 1024;

    [ThreadStatic] private static ArrayBufferWriter<byte>? _cached;

    public static ArrayBufferWriter<byte> Rent()
    {
        var buffer = _cached ?? new ArrayBufferWriter<byte>(16 * 1024);
        _cached = null;
        return buffer;
    }

    public static void Return(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity > MaxKept) return;
        buffer.ResetWrittenCount();
        _cached = buffer;
    }
}
