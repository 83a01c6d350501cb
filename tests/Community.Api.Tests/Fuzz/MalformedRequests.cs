using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Community.Api.Events;
using Community.Api.Settings;
using CsCheck;

namespace Community.Api.Tests.Fuzz;

/// <summary>One generated request, as sent; <see cref="ToString"/> is what a failure prints.</summary>
public sealed record FuzzRequest(Operation Operation, string Method, string Url, string? ContentType, byte[]? Body,
    ImmutableArray<(string Name, string Value)> Headers)
{
    public override string ToString()
    {
        var body = Body is null ? "(no body)" : Body.Length > 600 ? $"{Encoding.UTF8.GetString(Body, 0, 600)}… ({Body.Length} bytes)" : Encoding.UTF8.GetString(Body);
        return $"{Method} {Url} [{Operation}] content-type: {ContentType ?? "(none)"} headers: {string.Join(", ", Headers.Select(h => $"{h.Name}: {h.Value}"))}\n{body}";
    }
}

/// <summary>Ids that exist in the fuzzed app, so that generated requests reach past "not found" into the handlers.</summary>
public sealed record FuzzWorld(long[] Ids, string[] PlatformIds);

/// <summary>
/// Generators of malformed requests for the operations of an OpenAPI document: wrong types, huge and negative
/// numbers, unicode (NUL, lone surrogates, bidi controls), very long strings, deep nesting, missing and duplicate
/// fields, bad cursors and query values, bad path ids, wrong content types and methods. Values that are valid
/// for a field (platform names, roles, setting keys) are mixed in so requests also get past the first check.
/// </summary>
public sealed class MalformedRequests(IReadOnlyList<Operation> operations, FuzzWorld world)
{
    private static readonly string[] Platforms = ["twitch", "discord", "youtube", "kick", "slack", "TWITCH", "myspace"];
    private static readonly string[] Words =
    [
        "member", "moderator", "admin", "owner", "active", "left", "removed", "banned", "all", "pending", "approved", "rejected",
        "joined_at", "reputation", "free", "premium", "open", "approval", "invite", "UTC", "Europe/Berlin", "Europe", "America/", "en", "pt-BR",
        "failed", "succeeded", "delivered", "community.created", "member.joined", "settings.updated", "member.banned",
        "http://127.0.0.1:9/hook", "https://203.0.113.7/hook", "http://[::1]/x", "http://localhost/", "ftp://x/", "https://", "mailto:a@b",
        .. Platforms,
    ];
    private static readonly string[] Nasty =
    [
        "", " ", "\u0000", "a\u0000b", "\ud800", "\udfff", "x\ud800y", "😀", "👨‍👩‍👧‍👦", "\u202Eevil", "\u2066x\u2069", "\uFEFF", "\u200B",
        "Ω≈ç√∫", "ＡＢＣ", "İı", "ß", "ǅ", "\r\n", "\t", "\u0085", "\u2028", "'; DROP TABLE communities; --", "%", "_", "\\", "%00",
        "../../etc/passwd", "..\\..\\x", "/", "{{7*7}}", "<script>alert(1)</script>", "null", "true", "-1", "0", "1e400", "NaN",
        "9223372036854775808", "-9223372036854775809", "1.5", "0x10", "${x}", "a|b|c", "members-joined|-1|1", "\u0007", "\u001b[31m",
        "Etc/GMT+14", "/etc/localtime", "posix/Europe/Berlin", "../UTC", "Europe/Berlin\u0000", "zz-ZZZZZZZZ-x", "x-", "{user}{community}",
    ];
    private static readonly string[] NastyNumbers =
    [
        "-1", "0", "1", "2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "-9223372036854775809", "99999999999999999999999999999", "1e400", "-1e400", "1e-400", "1.5", "-0", "0.0", "1E2", "4.9e-324",
        "1.7976931348623157e308", "100000000000000000000000000000000000000000000000000000000000000000",
    ];
    private static readonly string[] BadQueryFragments = ["%", "%zz", "%00", "%FF%FE", "%E0%A4%A", "%C0%AF", "+", "%2B", "&", "%26", "="];
    private static readonly string[] BadPathSegments =
        ["0", "-1", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1.5", "1e3", "abc", "%20", "%C0%AF",
         "%E2%80%AE1", "0x1", "+1", "%2B1", "00001", "١٢٣", new string('9', 400)];
    private static readonly string[] ContentTypes =
    [
        "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-16",
        "application/json; charset=latin1", "application/merge-patch+json", "*/*", "application/json; charset=\"", "application/jsonx", "application",
    ];
    private static readonly string[] OtherMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    private static Gen<string> Pick(params string[] values) => Gen.OneOf(values);

    private static Gen<string> OneOf(params Gen<string>[] gens) => Gen.OneOf<string>(gens.Cast<IGen<string>>().ToArray());

    private static string Json(string value) => JsonSerializer.Serialize(value);

    private static readonly Gen<string> LongString = Gen.OneOf(101, 256, 501, 2001, 5000, 70_000)
        .SelectMany(n => Gen.Char["ab9Z"].Select(c => new string(c, n)));

    private static readonly Gen<string> RandomText = OneOf(Gen.String[0, 40], Gen.Char.Array[0, 20].Select(cs => new string(cs)), Gen.String["abcdefghijklmnopqrstuvwxyz0123456789 -_."]);

    /// <summary>A string: a word the API knows, a nasty one, random unicode or a very long one.</summary>
    private static readonly Gen<string> AnyString = Gen.Frequency<string>((3, Pick(Words)), (3, Pick(Nasty)), (3, RandomText), (1, LongString));

    private Gen<long> Id => Gen.Frequency<long>((6, Gen.OneOf(world.Ids)), (1, Gen.OneOf(0L, -1L, long.MaxValue, long.MinValue, 1L, 2L)), (1, Gen.Long));

    private Gen<string> IdText => Id.Select(i => i.ToString());

    private static Gen<string> DeepJson => Gen.Int[10, 3000].SelectMany(depth => Gen.Bool.Select(array => array
        ? new string('[', depth) + "1" + new string(']', depth)
        : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth)));

    private static Gen<string> NumberJson => Gen.Frequency<string>((3, Pick(NastyNumbers)), (1, Gen.Long.Select(l => l.ToString())),
        (1, Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "1e999")));

    /// <summary>A JSON value of some other type than the schema asks for, or a nasty one of any type.</summary>
    private static Gen<string> WrongJson => OneOf(Pick("null", "true", "false", "[]", "{}", "\"\"", "[null]", "{\"\":null}"), NumberJson,
        AnyString.Select(Json), DeepJson);

    /// <summary>The JSON text of a value for <paramref name="schema"/>: mostly the right type (often a valid value), sometimes not.</summary>
    private Gen<string> Value(Schema schema, string name, int depth) =>
        depth > 4 ? WrongJson : Gen.Frequency<string>((5, Valid(schema, name, depth)), (2, WrongJson));

    private Gen<string> Valid(Schema schema, string name, int depth) => schema.Type switch
    {
        "string" when name == "platform" => Pick(Platforms).Select(Json),
        "string" => AnyString.Select(Json),
        "integer" when name.EndsWith("id") => Gen.Frequency<string>((3, IdText), (1, NumberJson)),
        "integer" => Gen.Frequency<string>((2, Gen.Int[-1000, 100_000].Select(i => i.ToString())), (1, NumberJson)),
        "number" => NumberJson,
        "boolean" => Pick("true", "false"),
        "array" when name == "event_types" => Pick([.. EventTypes.All, "*", "member.*", "", "nope"]).Select(Json).Array[0, 6].Select(Array),
        "array" => Value(schema.Items ?? Schema.Any, name, depth + 1).Array[0, 5].Select(Array),
        "object" when schema.Properties.Count > 0 => Object(schema, depth),
        "object" => FreeObject(depth),
        _ => Gen.Frequency<string>((2, FreeObject(depth)), (1, WrongJson)),
    };

    private static string Array(string[] items) => $"[{string.Join(',', items)}]";

    /// <summary>
    /// An object of the schema's fields, each present or missing, some given twice, plus unknown ones. Fields are
    /// written out by hand so that duplicates and odd orders survive.
    /// </summary>
    private Gen<string> Object(Schema schema, int depth)
    {
        var fields = Gen.Const(ImmutableList<string>.Empty);
        foreach (var (name, property) in schema.Properties)
        {
            var field = Gen.Frequency<string?>((6, Value(property, name, depth + 1).Select(v => (string?)$"{Json(name)}:{v}")), (2, Gen.Const((string?)null)),
                (1, Value(property, name, depth + 1).Select(v => (string?)$"{Json(name)}:{v},{Json(name)}:{v}")));
            fields = fields.SelectMany(list => field.Select(f => f is null ? list : list.Add(f)));
        }
        var extra = Gen.Frequency<string?>((8, Gen.Const((string?)null)), (1, AnyString.SelectMany(k => WrongJson.Select(v => (string?)$"{Json(k)}:{v}"))));
        return fields.SelectMany(list => extra.Select(e => "{" + string.Join(',', e is null ? list : list.Add(e)) + "}"));
    }

    /// <summary>An object with open keys (settings, credentials): known setting keys mixed with anything.</summary>
    private Gen<string> FreeObject(int depth)
    {
        var key = Gen.Frequency<string>((3, Pick([.. SettingDefinitions.All.Select(d => d.Key)])), (1, AnyString));
        var value = depth > 3 ? WrongJson : Gen.Frequency<string>((3, AnyString.Select(Json)), (2, NumberJson), (1, Pick("true", "false", "null")),
            (1, Gen.Int[-2000, 2000].Select(i => $"{{\"chat\":{i},\"raid\":1e400}}")), (1, Gen.Const(0).SelectMany(_ => FreeObject(depth + 1))));
        return Gen.Select(key, value, (k, v) => $"{Json(k)}:{v}").Array[0, 5].Select(f => "{" + string.Join(',', f) + "}");
    }

    /// <summary>A body that is not a JSON object of the right shape at all.</summary>
    private static Gen<byte[]> BrokenBody => Gen.Frequency<byte[]>(
        (6, Pick("", " ", "{", "}", "{\"a\":", "[]", "[1,2]", "\"text\"", "123", "null", "true", "hello", "{/*c*/}", "{\"a\":1,}", "{'a':1}",
            "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":01}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\u0000\"}", "{\"\\u0000\":1}", "\uFEFF{}", "{}{}", "{} x")
            .Select(Encoding.UTF8.GetBytes)),
        (2, DeepJson.Select(Encoding.UTF8.GetBytes)),
        (1, Gen.OneOf<byte[]>([0xFF, 0xFE], [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC0, 0xAF, 0x22, 0x7D], [0x7B, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x3A, 0x31, 0x7D])),
        (1, Gen.Int[1, 3].Select(k => Encoding.UTF8.GetBytes("{\"name\":\"" + new string('x', k * 400_000) + "\"}"))),
        (1, Gen.Int[100, 20_000].Select(n => Encoding.UTF8.GetBytes("{" + string.Join(',', Enumerable.Range(0, n).Select(i => $"\"f{i}\":{i}")) + "}"))));

    private static string Encode(string value) =>
        string.Concat(Encoding.UTF8.GetBytes(value).Select(b => (char)b is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '.' or '_' or '~'
            ? ((char)b).ToString() : $"%{b:X2}"));

    /// <summary>
    /// A path segment. Never an encoded NUL: Kestrel refuses such a path before the application sees it (and the test
    /// server throws on it), so it cannot reach the service.
    /// </summary>
    private Gen<string> PathValue(Parameter parameter)
    {
        var text = AnyString.Where(s => s.Length > 0 && !s.Contains('\0')).Select(Encode);
        return parameter.Schema.Type == "integer"
            ? Gen.Frequency<string>((8, IdText), (1, Pick(BadPathSegments)), (1, text))
            : parameter.Name == "platform"
                ? Gen.Frequency<string>((4, Pick(Platforms)), (1, text))
                : Gen.Frequency<string>((4, Gen.OneOf(world.PlatformIds)), (2, text), (1, Pick(BadPathSegments)));
    }

    private Gen<string> QueryValue(Parameter parameter) => (parameter.Name, parameter.Schema.Type) switch
    {
        ("cursor", _) => Gen.Frequency<string>((3, Pick(Nasty).Select(Encode)), (2, Gen.Byte.Array[0, 80].Select(b => Api.Http.Base64Url.Encode(b))),
            (1, Pick("members-joined|-1|1", "communities|1", "audit|9223372036854775807").Select(s => Api.Http.Base64Url.Encode(Encoding.UTF8.GetBytes(s))))),
        (_, "integer") => Gen.Frequency<string>((3, Gen.Int[-5, 250].Select(i => i.ToString())), (2, Pick(NastyNumbers).Select(Encode)), (1, IdText),
            (1, AnyString.Select(Encode))),
        (_, "boolean") => Pick("true", "false", "True", "1", "0", "yes", "", "maybe", "%00"),
        ("platform", _) => Pick(Platforms),
        _ => AnyString.Select(Encode),
    };

    private Gen<string> Query(Operation operation)
    {
        var parts = Gen.Const(ImmutableList<string>.Empty);
        foreach (var parameter in operation.Parameters.Where(p => p.In == "query"))
        {
            var part = Gen.Frequency<string?>((5, QueryValue(parameter).Select(v => (string?)$"{parameter.Name}={v}")), (4, Gen.Const((string?)null)),
                (1, Gen.Select(QueryValue(parameter), QueryValue(parameter), (a, b) => (string?)$"{parameter.Name}={a}&{parameter.Name}={b}")),
                (1, Gen.Const((string?)parameter.Name)));
            parts = parts.SelectMany(list => part.Select(p => p is null ? list : list.Add(p)));
        }
        var junk = Gen.Frequency<string?>((9, Gen.Const((string?)null)), (1, Pick(BadQueryFragments).Select(f => (string?)$"x={f}")),
            (1, Pick(BadQueryFragments).Select(f => (string?)f)));
        return parts.SelectMany(list => junk.Select(j => j is null ? list : list.Add(j)))
            .Select(list => list.Count == 0 ? "" : "?" + string.Join('&', list));
    }

    private Gen<string> Path(Operation operation)
    {
        var path = Gen.Const(operation.Path);
        foreach (var parameter in operation.Parameters.Where(p => p.In == "path"))
            path = path.SelectMany(p => PathValue(parameter).Select(v => p.Replace("{" + parameter.Name + "}", v)));
        return path;
    }

    private Gen<(string? ContentType, byte[]? Body)> Body(Operation operation)
    {
        var contentType = Gen.Frequency<string?>((12, Gen.Const((string?)"application/json")), (1, Gen.Const((string?)null)),
            (2, Pick(ContentTypes).Select(t => (string?)t)));
        var body = operation.Body is null
            ? Gen.Frequency<byte[]?>((8, Gen.Const((byte[]?)null)), (1, BrokenBody.Select(b => (byte[]?)b)))
            : Gen.Frequency<byte[]?>((7, Value(operation.Body, "", 0).Select(v => (byte[]?)Encoding.UTF8.GetBytes(v))), (3, BrokenBody.Select(b => (byte[]?)b)),
                (1, Gen.Const((byte[]?)null)));
        return Gen.Select(contentType, body, (t, b) => (b is null ? null : t, b));
    }

    private static Gen<ImmutableArray<(string, string)>> Headers(string method)
    {
        var ascii = OneOf(Gen.Char[' ', '~'].Array[0, 40].Select(cs => new string(cs)), Gen.Char["ab9"].Select(c => new string(c, 300)), Pick("*", "\"x\"", "W/\"x\"", ""));
        var header = Gen.Frequency<(string, string)?>((6, Gen.Const(((string, string)?)null)),
            (method == "POST" ? 3 : 0, ascii.Select(v => ((string, string)?)("Idempotency-Key", v))),
            (method is "PUT" or "PATCH" or "DELETE" ? 2 : 0, ascii.Select(v => ((string, string)?)("If-Match", v))),
            (method == "GET" ? 1 : 0, ascii.Select(v => ((string, string)?)("If-None-Match", v))),
            (1, ascii.Select(v => ((string, string)?)("X-Correlation-ID", v))));
        return header.Array[0, 2].Select(hs => hs.Where(h => h is not null).Select(h => h!.Value).ToImmutableArray());
    }

    /// <summary>A malformed request for one operation, sometimes sent with another method than the document names.</summary>
    public Gen<FuzzRequest> For(Operation operation) =>
        Gen.Select(Path(operation), Query(operation), Body(operation), Gen.Frequency<string>((19, Gen.Const(operation.Method)), (1, Pick(OtherMethods))))
            .SelectMany(r => Headers(r.Item4).Select(h => new FuzzRequest(operation, r.Item4, r.Item1 + r.Item2, r.Item3.ContentType, r.Item3.Body, h)));

    /// <summary>A malformed request for any operation of the document.</summary>
    public Gen<FuzzRequest> Any => Gen.OneOf(operations.ToArray()).SelectMany(For);
}
