using System.Text;
using System.Text.Json;
using Community.Api.Http;
using Community.Api.Lookup;
using Community.Api.Members;
using Microsoft.AspNetCore.Http;

namespace Community.Api.Tests.Http;

/// <summary>
/// The hot paths' bodies, written by generated code (<see cref="HotOk{T}"/>), are byte for byte what the wire's rules
/// (<see cref="ApiJson"/>, by reflection) write for the same value: a rule added to one and not the other fails here.
/// Each is sent with its length.
/// </summary>
public sealed class HotPathJsonTests
{
    private static readonly DateTime At = new(2026, 12, 2, 13, 59, 1, 234, DateTimeKind.Utc);

    private static MemberResponse Member(long id, string username, BanResponse? ban = null) =>
        new(7, id, username, Roles.Member, 612, "Good", MemberStatus.Active, At.AddTicks(id), At.AddDays(1), ban);

    public static TheoryData<string> Bodies => ["lookup", "lookup without member", "join", "page", "last page", "empty page"];

    private static (object Value, Func<Task<string>> Written) Body(string name) => name switch
    {
        "lookup" => Case(HotOk.Of(Envelope.Of(new LookupResponse(new LookupCommunity(7, "Pond \"é\" <b>", "free", true),
            new LookupMember(42, Roles.Moderator, -5, MemberStatus.Active), true)))),
        "lookup without member" => Case(HotOk.Of(Envelope.Of(new LookupResponse(new LookupCommunity(7, "pond", "pro", false), null, false)))),
        "join" => Case(HotOk.Of(Envelope.Of(new ConnectorJoinResponse(7, 42, true, false,
            Member(42, "🦆 teal", new BanResponse(null, At.AddMinutes(10))))))),
        "page" => Case(HotOk.Of(Envelope.Page(new Page<MemberResponse>(
            [Member(1, "a\u0001b"), Member(2, "ünïcode", new BanResponse("spam & links 'x'", null)), Member(3, "c")], "cursor+/=", 3)))),
        "last page" => Case(HotOk.Of(Envelope.Page(new Page<MemberResponse>([Member(4, "d")], null, 50)))),
        "empty page" => Case(HotOk.Of(Envelope.Page(new Page<MemberResponse>([], null, 1)))),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Not a body of this test."),
    };

    private static (object, Func<Task<string>>) Case<T>(HotOk<T> result) => (result.Value!, async () =>
    {
        var context = new DefaultHttpContext();
        using var body = new MemoryStream();
        context.Response.Body = body;
        await result.ExecuteAsync(context);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", context.Response.ContentType);
        Assert.Equal(body.Length, context.Response.ContentLength); // sent whole, not chunked
        return Encoding.UTF8.GetString(body.ToArray());
    });

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task AHotBodyIsWhatTheWireRulesWrite(string name)
    {
        var (value, written) = Body(name);
        Assert.Equal(JsonSerializer.Serialize(value, value.GetType(), ApiJson.Options), await written());
    }
}
