using System.Collections.Immutable;
using System.Globalization;
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

/// <summary>Rows that exist in the fuzzed app, so that generated requests reach past "not found" into the handlers.</summary>
public sealed record FuzzWorld(long[] Communities, long[] Users, long[] Webhooks, string[] PlatformIds)
{
    public long[] All => [.. Communities, .. Users, .. Webhooks];
}

/// <summary>
/// Generators of malformed requests for the operations of an OpenAPI document. A request starts valid (path ids that
/// exist, query values and body fields the API accepts, chosen by field name) and then one, two or many of its parts
/// are broken: wrong types, huge and negative numbers, unicode (NUL, lone surrogates, bidi controls), very long
/// strings, deep nesting, missing and duplicate fields, bad cursors and query values, bad path ids, mutated valid
/// values, broken bodies, wrong content types and methods. Starting valid is what lets a broken part reach the code
/// behind the first check.
/// </summary>
public sealed class MalformedRequests(IReadOnlyList<Operation> operations, FuzzWorld world)
{
    private static readonly string[] Platforms = ["twitch", "discord", "youtube", "kick", "slack"];
    private static readonly string[] Words =
    [
        "member", "moderator", "admin", "owner", "active", "left", "removed", "banned", "all", "pending", "approved", "rejected",
        "joined_at", "reputation", "free", "premium", "open", "approval", "invite", "UTC", "Europe/Berlin", "en", "pt-BR",
        "failed", "delivered", "community.created", "member.joined", "settings.updated", "TWITCH", "myspace",
        "http://127.0.0.1:9/hook", "https://203.0.113.7/hook", "http://[::1]/x", "http://localhost/", "ftp://x/", "https://", "mailto:a@b",
    ];
    private static readonly string[] Nasty =
    [
        "", " ", "\u0000", "a\u0000b", "\ud800", "\udfff", "x\ud800y", "😀", "👨‍👩‍👧‍👦", "\u202Eevil", "\u2066x\u2069", "\uFEFF", "\u200B",
        "Ω≈ç√∫", "ＡＢＣ", "İı", "ß", "ǅ", "\r\n", "\t", "\u0085", "\u2028", "'; DROP TABLE communities; --", "%", "_", "\\", "%00",
        "../../etc/passwd", "..\\..\\x", "/", ".", "{{7*7}}", "<script>alert(1)</script>", "null", "true", "-1", "0", "1e400", "NaN",
        "9223372036854775808", "-9223372036854775809", "1.5", "0x10", "${x}", "a|b|c", "\u0007", "\u001b[31m", "{user}{community}",
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
    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    private static Gen<string> Pick(params string[] values) => Gen.OneOf(values);

    private static Gen<string> OneOf(params Gen<string>[] gens) => Gen.OneOf<string>(gens.Cast<IGen<string>>().ToArray());

    private static string Json(string value) => JsonSerializer.Serialize(value);

    private static string Encode(string value) =>
        string.Concat(Encoding.UTF8.GetBytes(value).Select(b => (char)b is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '.' or '_' or '~'
            ? ((char)b).ToString() : $"%{b:X2}"));

    private static readonly Gen<string> LongString = Gen.OneOf(101, 256, 501, 2001, 5000, 70_000).SelectMany(n => Gen.Char["ab9Z"].Select(c => new string(c, n)));

    private static readonly Gen<string> RandomText =
        OneOf(Gen.String[0, 40], Gen.Char.Array[0, 20].Select(cs => new string(cs)), Gen.String["abcdefghijklmnopqrstuvwxyz0123456789 -_."]);

    /// <summary>A string a client should not send: a nasty one, random unicode or a very long one.</summary>
    private static readonly Gen<string> NastyString = Gen.Frequency<string>((2, Pick(Words)), (4, Pick(Nasty)), (3, RandomText), (1, LongString));

    private static readonly Gen<string> Token = Gen.String["abcdefghijklmnopqrstuvwxyz0123456789"].Where(s => s.Length is > 0 and < 20).Select(s => $"fz{s}");

    /// <summary>A valid string changed a little: cut at a separator or in half, extended, recased, given a stray character.</summary>
    private static Gen<string> Mutate(Gen<string> valid) => valid.SelectMany(v => Gen.OneOf<string>(
    [
        v.Split('/', '.', '-')[0], v[..(v.Length / 2)], v + "/", v + "/..", v + "\u0000", v + "\u202E", v + new string('x', 300),
        v.ToUpperInvariant(), " " + v + " ", v + v, v.Replace('/', '\\'), "\u00A0" + v, v + "\n",
    ]));

    private Gen<long> RealId => Gen.OneOf(world.All);

    /// <summary>An id of the kind a parameter names, read from its name and the path it is in.</summary>
    private Gen<long> IdFor(string name, string path) => name switch
    {
        "hubUserId" or "hub_user_id" or "new_owner_id" or "owner_id" => Gen.OneOf(world.Users),
        "community_id" => Gen.OneOf(world.Communities),
        "id" when path.StartsWith("/api/v1/communities") => Gen.OneOf(world.Communities),
        "id" when path.StartsWith("/api/v1/users") => Gen.OneOf(world.Users),
        "id" when path.StartsWith("/api/v1/webhooks") => Gen.OneOf(world.Webhooks),
        _ => Gen.Frequency<long>((1, RealId), (1, Gen.Long[1, 5])),
    };

    private static Gen<string> Deep => Gen.Int[10, 3000].SelectMany(depth => Gen.Bool.Select(array => array
        ? new string('[', depth) + "1" + new string(']', depth)
        : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth)));

    private static Gen<string> BadNumber => Gen.Frequency<string>((3, Pick(NastyNumbers)), (1, Gen.Long.Select(l => l.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "1e999")));

    /// <summary>A JSON value nobody should send for a field: another type, a nasty number or string, deep nesting.</summary>
    private static Gen<string> BadJson => Gen.Frequency<string>((2, Pick("null", "true", "false", "[]", "{}", "\"\"", "[null]", "{\"\":null}")), (2, BadNumber),
        (3, NastyString.Select(Json)), (1, Deep));

    // ---- valid values, by field name ------------------------------------------------------------------------------------

    /// <summary>The values the API accepts for a field or parameter of this name, where it accepts only a few.</summary>
    private static string[]? Known(string name) => name switch
    {
        "platform" => Platforms,
        "role" => ["member", "moderator", "admin"],
        "status" => ["active", "all", "left", "banned", "pending", "approved", "failed", "delivered"],
        "sort" => ["joined_at", "reputation"],
        "tier" => ["free", "premium"],
        "join_mode" => SettingDefinitions.JoinModes,
        "locale" => ["en", "pt-BR", "de"],
        "timezone" => ["Europe/Berlin", "UTC", "America/New_York", "Asia/Tokyo"],
        "command_prefix" => ["!", "?", "$$"],
        "url" => ["https://203.0.113.7/hook", "https://198.51.100.20:8443/x?y=1", "http://127.0.0.1:9/hook"],
        "avatar_url" => ["https://203.0.113.7/a.png", "http://example.com/b.jpg"],
        "action" => ["settings.updated", "member.banned", "community.updated"],
        "cursor" => [""],
        _ => null,
    };

    private Gen<string> GoodText(string name) => Known(name) is { } known ? Pick(known) : name switch
    {
        "email" => Token.Select(t => $"{t}@example.com"),
        "types" => Pick([.. EventTypes.All]).Array[1, 3].Select(ts => string.Join(',', ts)),
        "platform_community_id" or "platform_user_id" or "platformUserId" => Gen.Frequency<string>((3, Gen.OneOf(world.PlatformIds)), (1, Token)),
        _ => Token,
    };

    private Gen<string> GoodJson(Schema schema, string name, int depth) => (schema.Type, name) switch
    {
        (_, "event_types") => Pick([.. EventTypes.All]).Select(Json).Array[0, 3].Select(JsonArray),
        (_, "credentials") => Token.Select(t => $"{{\"oauth_token\":{Json(t)}}}"),
        (_, "reputation.weights") => Gen.Int[-1000, 1000].Select(i => $"{{\"chat\":{i}}}"),
        (_, SettingDefinitions.StartingScore or SettingDefinitions.AutoBanThreshold) => Gen.Int[300, 850].Select(i => i.ToString(CultureInfo.InvariantCulture)),
        (_, SettingDefinitions.WelcomeEnabled or SettingDefinitions.AutoBanEnabled) => Pick("true", "false"),
        ("integer", "delta") => Gen.Int[-100, 100].Select(i => i.ToString(CultureInfo.InvariantCulture)),
        ("integer", "value") => Gen.Int[300, 850].Select(i => i.ToString(CultureInfo.InvariantCulture)),
        ("integer", "duration_seconds") => Gen.Int[1, 100_000].Select(i => i.ToString(CultureInfo.InvariantCulture)),
        ("integer", _) => IdFor(name, "").Select(i => i.ToString(CultureInfo.InvariantCulture)),
        ("number", _) => Gen.Int[0, 100].Select(i => i.ToString(CultureInfo.InvariantCulture)),
        ("boolean", _) => Pick("true", "false"),
        ("array", _) => GoodJson(schema.Items ?? Schema.Any, name, depth + 1).Array[0, 3].Select(JsonArray),
        ("object", _) when depth < 3 => ObjectOf(schema, depth + 1, bad: 0),
        ("object" or "any", _) => Gen.Const("{}"),
        _ => GoodText(name).Select(Json),
    };

    private Gen<string> BadJsonFor(Schema schema, string name) => schema.Type switch
    {
        "string" => Gen.Frequency<string>((3, Mutate(GoodText(name)).Select(Json)), (2, BadJson)),
        "integer" or "number" => Gen.Frequency<string>((3, BadNumber), (1, BadJson)),
        _ => BadJson,
    };

    private static string JsonArray(string[] items) => $"[{string.Join(',', items)}]";

    // ---- objects: fields as slots, some broken ---------------------------------------------------------------------------

    /// <summary>How many slots to break: exactly one most of the time, sometimes two, sometimes a third of them.</summary>
    private static Gen<int[]> Broken(int slots) => slots == 0 ? Gen.Const(System.Array.Empty<int>()) : Gen.Frequency<int[]>(
        (6, Gen.Int[0, slots - 1].Select(i => new[] { i })),
        (2, Gen.Int[0, slots - 1].Array[2].Select(a => a.Distinct().ToArray())),
        (1, Gen.Bool.Array[slots].Select(flags => Enumerable.Range(0, slots).Where(i => flags[i] && i % 3 == 0).ToArray())),
        (1, Gen.Const(System.Array.Empty<int>())));

    /// <summary>Folds one generator per slot into the list of what they produced (null: the slot adds nothing).</summary>
    private static Gen<ImmutableList<string>> Slots(IEnumerable<Gen<string?>> slots)
    {
        var all = Gen.Const(ImmutableList<string>.Empty);
        foreach (var slot in slots) all = all.SelectMany(list => slot.Select(s => s is null ? list : list.Add(s)));
        return all;
    }

    /// <summary>A field broken as a whole: a bad value, given twice, or left out.</summary>
    private Gen<string?> BrokenField(string name, Schema schema) => Gen.Frequency<string?>(
        (5, BadJsonFor(schema, name).Select(v => (string?)$"{Json(name)}:{v}")),
        (1, GoodJson(schema, name, 1).SelectMany(a => BadJsonFor(schema, name).Select(b => (string?)$"{Json(name)}:{a},{Json(name)}:{b}"))),
        (1, Gen.Const((string?)null)));

    private Gen<string> ObjectOf(Schema schema, int depth, int bad)
    {
        var fields = Fields(schema);
        var present = schema.Properties.Count > 0 ? 6 : 1; // a settings PATCH names a few keys, not all of them
        return Broken(bad == 0 ? 0 : fields.Count).SelectMany(broken => Slots(fields.Select((f, i) => broken.Contains(i)
            ? BrokenField(f.Item1, f.Item2)
            : Gen.Frequency<string?>((present, GoodJson(f.Item2, f.Item1, depth).Select(v => (string?)$"{Json(f.Item1)}:{v}")), (2, Gen.Const((string?)null)))))
            .Select(list => "{" + string.Join(',', list) + "}"));
    }

    /// <summary>The fields of a body: its schema's properties, or for the open settings object every setting key.</summary>
    private static List<(string Name, Schema Schema)> Fields(Schema schema) => schema.Properties.Count > 0
        ? schema.Properties.Select(p => (p.Key, p.Value)).ToList()
        : SettingDefinitions.All.Select(d => (d.Key, Schema.Any with { Type = d.DefaultJson.StartsWith('"') ? "string" : "any" })).ToList();

    /// <summary>A valid object but for <paramref name="field"/>, which holds <paramref name="json"/>.</summary>
    private Gen<string> ObjectWith(Schema schema, string field, string json) =>
        Slots(Fields(schema).Select(f => f.Name == field
                ? Gen.Const((string?)$"{Json(field)}:{json}")
                : Gen.Frequency<string?>((1, GoodJson(f.Schema, f.Name, 1).Select(v => (string?)$"{Json(f.Name)}:{v}")), (1, Gen.Const((string?)null)))))
            .Select(list => "{" + string.Join(',', list) + "}");

    /// <summary>A body that is not a JSON object of the right shape at all.</summary>
    private static Gen<byte[]> BrokenBody => Gen.Frequency<byte[]>(
        (6, Pick("", " ", "{", "}", "{\"a\":", "[]", "[1,2]", "\"text\"", "123", "null", "true", "hello", "{/*c*/}", "{\"a\":1,}", "{'a':1}",
            "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":01}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\u0000\"}", "{\"\\u0000\":1}", "\uFEFF{}", "{}{}", "{} x")
            .Select(Encoding.UTF8.GetBytes)),
        (2, Deep.Select(Encoding.UTF8.GetBytes)),
        (1, Gen.OneOf<byte[]>([0xFF, 0xFE], [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC0, 0xAF, 0x22, 0x7D], [0x7B, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x3A, 0x31, 0x7D])),
        (1, Gen.Int[1, 3].Select(k => Encoding.UTF8.GetBytes("{\"name\":\"" + new string('x', k * 400_000) + "\"}"))),
        (1, Gen.Int[100, 20_000].Select(n => Encoding.UTF8.GetBytes("{" + string.Join(',', Enumerable.Range(0, n).Select(i => $"\"f{i}\":{i}")) + "}"))));

    // ---- a request: path, query, body, content type, method and headers as slots ----------------------------------------

    /// <summary>
    /// A bad path segment. Never an encoded NUL: Kestrel refuses such a path before the application sees it (and the
    /// test server throws on it), so it cannot reach the service.
    /// </summary>
    private Gen<string> BadPath(Parameter parameter) => Gen.Frequency<string>((2, Pick(BadPathSegments)),
        (1, NastyString.Where(s => s.Length > 0 && !s.Contains('\0')).Select(Encode)),
        (1, Gen.OneOf(long.MaxValue, long.MinValue, 0L, -1L, int.MaxValue + 1L).Select(i => i.ToString(CultureInfo.InvariantCulture))),
        (parameter.Schema.Type == "integer" ? 0 : 1, Mutate(GoodText(parameter.Name)).Where(s => !s.Contains('\0')).Select(Encode)));

    private Gen<string> GoodPath(Parameter parameter, string path) => parameter.Schema.Type == "integer"
        ? IdFor(parameter.Name, path).Select(i => i.ToString(CultureInfo.InvariantCulture))
        : GoodText(parameter.Name).Where(s => s.Length > 0).Select(Encode);

    private Gen<string> BadQuery(Parameter parameter) => parameter.Name switch
    {
        "cursor" => Gen.Frequency<string>((3, NastyString.Select(Encode)), (2, Gen.Byte.Array[0, 80].Select(b => Api.Http.Base64Url.Encode(b))),
            (2, Gen.Select(Pick("members-joined", "members-reputation", "communities", "audit", "webhooks"), Pick(NastyNumbers), Pick(NastyNumbers),
                (k, a, b) => Api.Http.Base64Url.Encode(Encoding.UTF8.GetBytes($"{k}|{a}|{b}"))))),
        _ when parameter.Schema.Type is "integer" => Gen.Frequency<string>((3, Pick(NastyNumbers).Select(Encode)), (1, NastyString.Select(Encode))),
        _ when parameter.Schema.Type is "boolean" => Pick("True", "1", "0", "yes", "", "maybe", "%00", "true%00"),
        _ => Gen.Frequency<string>((2, Mutate(GoodText(parameter.Name)).Select(Encode)), (2, NastyString.Select(Encode)), (1, Pick(BadQueryFragments))),
    };

    private Gen<string> GoodQuery(Parameter parameter) => (parameter.Name, parameter.Schema.Type) switch
    {
        ("limit", _) => Gen.Int[1, 200].Select(i => i.ToString(CultureInfo.InvariantCulture)),
        ("after", _) => Gen.Int[0, 50].Select(i => i.ToString(CultureInfo.InvariantCulture)),
        (_, "integer") => IdFor(parameter.Name, "").Select(i => i.ToString(CultureInfo.InvariantCulture)),
        (_, "boolean") => Pick("true", "false"),
        _ => GoodText(parameter.Name).Select(Encode),
    };

    /// <summary>A request for <paramref name="operation"/>: valid but for the slots <see cref="Broken"/> picks.</summary>
    public Gen<FuzzRequest> For(Operation operation)
    {
        var path = operation.Parameters.Where(p => p.In == "path").ToList();
        var query = operation.Parameters.Where(p => p.In == "query").ToList();
        // Slots: path parameters, query parameters, the body, the content type, the method, a header, stray query text.
        // A body is broken more often than the rest: it has the most fields behind it.
        var slots = path.Count + query.Count + 5;
        var bodySlot = path.Count + query.Count;
        var which = operation.Body is null ? Broken(slots) : Gen.Frequency<int[]>((2, Broken(slots)), (1, Gen.Const(new[] { bodySlot })));
        return which.SelectMany(broken =>
        {
            bool Bad(int slot) => broken.Contains(slot);
            var segments = Slots(path.Select((p, i) => (Bad(i) ? BadPath(p) : GoodPath(p, operation.Path)).Select(v => (string?)v)));
            var queries = Slots(query.Select((p, i) => Bad(path.Count + i)
                ? Gen.Frequency<string?>((4, BadQuery(p).Select(v => (string?)$"{p.Name}={v}")),
                    (1, Gen.Select(GoodQuery(p), BadQuery(p), (a, b) => (string?)$"{p.Name}={a}&{p.Name}={b}")), (1, Gen.Const((string?)p.Name)))
                : Gen.Frequency<string?>((1, GoodQuery(p).Select(v => (string?)$"{p.Name}={v}")), (1, Gen.Const((string?)null)))));
            var next = path.Count + query.Count;
            var body = operation.Body is null
                ? Bad(next) ? BrokenBody.Select(b => (byte[]?)b) : Gen.Const((byte[]?)null)
                : Bad(next)
                    ? Gen.Frequency<byte[]?>((3, ObjectOf(operation.Body, 0, bad: 1).Select(v => (byte[]?)Encoding.UTF8.GetBytes(v))),
                        (2, BrokenBody.Select(b => (byte[]?)b)), (1, Gen.Const((byte[]?)null)),
                        (1, BadJson.Select(v => (byte[]?)Encoding.UTF8.GetBytes(v))))
                    : GoodJson(operation.Body, "", 0).Select(v => (byte[]?)Encoding.UTF8.GetBytes(v));
            var contentType = Bad(next + 1) ? Gen.Frequency<string?>((4, Pick(ContentTypes).Select(t => (string?)t)), (1, Gen.Const((string?)null)))
                : Gen.Const((string?)"application/json");
            var method = Bad(next + 2) ? Pick(Methods) : Gen.Const(operation.Method);
            var stray = Bad(next + 4) ? Pick(BadQueryFragments).Select(f => (string?)f) : Gen.Const((string?)null);
            var parts = Gen.Select(segments, queries, body, contentType, method, stray);
            return parts.SelectMany(p => Headers(p.Item5, Bad(next + 3)).Select(headers =>
            {
                var url = operation.Path;
                for (var i = 0; i < path.Count; i++) url = url.Replace("{" + path[i].Name + "}", p.Item1[i]);
                var q = p.Item6 is null ? p.Item2 : p.Item2.Add(p.Item6);
                if (q.Count > 0) url += "?" + string.Join('&', q);
                return new FuzzRequest(operation, p.Item5, url, p.Item3 is null ? null : p.Item4, p.Item3, headers);
            }));
        });
    }

    private static Gen<ImmutableArray<(string, string)>> Headers(string method, bool bad)
    {
        if (!bad) return Gen.Const(ImmutableArray<(string, string)>.Empty);
        var value = OneOf(Gen.Char[' ', '~'].Array[0, 40].Select(cs => new string(cs)), Gen.Char["ab9"].Select(c => new string(c, 300)),
            Pick("*", "\"x\"", "W/\"x\"", "", "\"", "W/", "\"a\", \"b\""), Gen.Char['\u00A0', '\u00FF'].Array[1, 10].Select(cs => new string(cs)));
        var name = method switch
        {
            "POST" => Pick("Idempotency-Key", "X-Correlation-ID"),
            "PUT" or "PATCH" or "DELETE" => Pick("If-Match", "X-Correlation-ID"),
            _ => Pick("If-None-Match", "X-Correlation-ID"),
        };
        return Gen.Select(name, value, (n, v) => ImmutableArray.Create((n, v)));
    }

    // ---- the sweep: each part of each operation broken in each way, one at a time ---------------------------------------

    /// <summary>Breaks of a string: valid values cut, extended and recased, and strings nobody should send.</summary>
    private static IEnumerable<string> StringBreaks(string name, bool path) =>
        (Known(name)?.Where(k => k.Length > 0).Take(2) ?? ["fzvalue"])
            .SelectMany(g => new[] { g.Split('/', '.', '-')[0], g[..(g.Length / 2)], g + "/", g + "/..", g.ToUpperInvariant(), g + "\u202E", g + "\u0000" })
            .Concat(["", " ", "\u0000", "\ud800", "\u202Eevil", "😀", "..", "%", new string('x', 5000)])
            .Where(v => !path || (v.Length > 0 && !v.Contains('\0')))
            .Distinct();

    private static readonly string[] NumberBreaks =
        ["-1", "0", "2147483648", "-2147483649", "9223372036854775808", "-9223372036854775809", "1e400", "1.5"];

    private static IEnumerable<string> JsonBreaks(Schema schema, string name) => schema.Type switch
    {
        "string" => StringBreaks(name, path: false).Select(Json).Concat(["123", "null", "[]", "{}"]),
        "integer" or "number" => NumberBreaks.Concat(["\"1\"", "null", "true", "[]"]),
        "boolean" => ["\"true\"", "1", "null", "[]"],
        _ => ["null", "1", "\"x\"", "[]", "{}", string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "1" + new string('}', 100),
            "{\"chat\":1e400}", "{\"\":\"\\u0000\"}", "[" + string.Join(',', Enumerable.Repeat("1", 1000)) + "]"],
    };

    private static IEnumerable<string> QueryBreaks(Parameter parameter) => parameter.Schema.Type switch
    {
        "integer" => NumberBreaks.Select(Encode).Concat(["abc", "", "%00"]),
        "boolean" => ["maybe", "", "1", "%00"],
        _ => StringBreaks(parameter.Name, path: false).Select(Encode).Concat(BadQueryFragments.Take(4)),
    };

    private static IEnumerable<string> PathBreaks(Parameter parameter) => parameter.Schema.Type == "integer"
        ? ["0", "-1", "9223372036854775808", "abc", "1.5", "%E2%80%AE1", "00001", new string('9', 400)]
        : StringBreaks(parameter.Name, path: true).Select(Encode);

    /// <summary>
    /// Every operation with exactly one part (a path parameter, a query parameter or a body field) broken in each way
    /// its type can be broken, the rest valid: what random sampling reaches only by luck, the sweep reaches every time.
    /// </summary>
    public IReadOnlyList<(string Break, Gen<FuzzRequest> Request)> Sweep()
    {
        var cases = new List<(string, Gen<FuzzRequest>)>();
        foreach (var operation in operations)
        {
            foreach (var p in operation.Parameters.Where(p => p.In == "path"))
                cases.AddRange(PathBreaks(p).Select(v => ($"{operation} path {p.Name}={v}", Exact(operation, pathBreak: (p.Name, v)))));
            foreach (var p in operation.Parameters.Where(p => p.In == "query"))
                cases.AddRange(QueryBreaks(p).Select(v => ($"{operation} query {p.Name}={v}", Exact(operation, queryBreak: (p.Name, v)))));
            if (operation.Body is not null)
                foreach (var (name, schema) in Fields(operation.Body))
                    cases.AddRange(JsonBreaks(schema, name).Select(v => ($"{operation} body {name}: {v}", Exact(operation, fieldBreak: (name, v)))));
        }
        return cases;
    }

    private Gen<FuzzRequest> Exact(Operation operation, (string Name, string Value)? pathBreak = null, (string Name, string Value)? queryBreak = null,
        (string Name, string Json)? fieldBreak = null)
    {
        var path = operation.Parameters.Where(p => p.In == "path").ToList();
        var segments = Slots(path.Select(p => p.Name == pathBreak?.Name ? Gen.Const((string?)pathBreak.Value.Value) : GoodPath(p, operation.Path).Select(v => (string?)v)));
        var queries = Slots(operation.Parameters.Where(p => p.In == "query").Select(p => p.Name == queryBreak?.Name
            ? Gen.Const((string?)$"{p.Name}={queryBreak.Value.Value}")
            : Gen.Frequency<string?>((1, GoodQuery(p).Select(v => (string?)$"{p.Name}={v}")), (1, Gen.Const((string?)null)))));
        var body = operation.Body is null ? Gen.Const((string?)null)
            : (fieldBreak is { } f ? ObjectWith(operation.Body, f.Name, f.Json) : GoodJson(operation.Body, "", 0)).Select(b => (string?)b);
        return Gen.Select(segments, queries, body, (s, q, b) =>
        {
            var url = operation.Path;
            for (var i = 0; i < path.Count; i++) url = url.Replace("{" + path[i].Name + "}", s[i]);
            if (q.Count > 0) url += "?" + string.Join('&', q);
            return new FuzzRequest(operation, operation.Method, url, b is null ? null : "application/json", b is null ? null : Encoding.UTF8.GetBytes(b),
                ImmutableArray<(string, string)>.Empty);
        });
    }

    /// <summary>A malformed request for any operation of the document.</summary>
    public Gen<FuzzRequest> Any => Gen.OneOf(operations.ToArray()).SelectMany(For);
}
