using System.Text.Json;
using System.Text.Json.Serialization;
using Community.Api.Lookup;
using Community.Api.Members;

namespace Community.Api.Http;

/// <summary>
/// Serializers generated at build time for the bodies of the hot paths: the routing lookup, a connector's join and a
/// member page. The wire's shared options cannot use generated code (ASP.NET puts its own generated contexts in their
/// resolver chain and names an encoder, and either turns the generated fast path off for every type), so these bodies
/// are written with options of their own (<see cref="HotOk{T}"/>): <see cref="ApiJson"/>'s rules, which the attribute
/// below repeats. HotPathJsonTests holds each body byte for byte to what the shared options write.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(Envelope<LookupResponse>))]
[JsonSerializable(typeof(Envelope<ConnectorJoinResponse>))]
[JsonSerializable(typeof(Envelope<IReadOnlyList<MemberResponse>>))]
public sealed partial class HotPathJson : JsonSerializerContext;
