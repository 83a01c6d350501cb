using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace Community.Api.Tests.Deploy;

/// <summary>
/// Renders a Helm chart without Helm (CI has none), for the part of Helm's template language the chart uses:
/// <c>{{ }}</c> and <c>{{- -}}</c>, comments, <c>define</c>/<c>include</c>, <c>if</c>/<c>else</c>/<c>end</c>,
/// <c>range $i, $x := …</c>, paths from <c>.</c>, <c>$</c> and variables, string and number literals, and the functions
/// <c>default quote required toYaml nindent indent not</c>. Anything else throws, so a template that outgrows this subset
/// fails the tests instead of rendering wrongly. <see cref="HelmChartTests"/> compares the result with real Helm where
/// Helm is installed.
/// </summary>
public static partial class HelmTemplate
{
    public sealed record Document(string Template, YamlMappingNode Root)
    {
        public string Kind => ((YamlScalarNode)Root["kind"]).Value!;
        public string Name => ((YamlScalarNode)((YamlMappingNode)Root["metadata"])["name"]).Value!;
    }

    /// <summary>Every document the chart renders, with <c>values.yaml</c> overlaid by <paramref name="valueFiles"/>.</summary>
    public static IReadOnlyList<Document> Render(string chartDirectory, string releaseName, params string[] valueFiles)
    {
        var chart = Load(Path.Combine(chartDirectory, "Chart.yaml")) as Dictionary<string, object?> ?? [];
        var values = Load(Path.Combine(chartDirectory, "values.yaml")) as Dictionary<string, object?> ?? [];
        foreach (var file in valueFiles) values = Merge(values, Load(file) as Dictionary<string, object?> ?? []);
        var root = new Dictionary<string, object?>
        {
            ["Values"] = values,
            ["Chart"] = new Dictionary<string, object?>
            {
                ["Name"] = chart["name"], ["Version"] = chart["version"], ["AppVersion"] = chart["appVersion"],
            },
            ["Release"] = new Dictionary<string, object?> { ["Name"] = releaseName, ["Namespace"] = "default", ["Service"] = "Helm" },
        };

        var templates = Directory.GetFiles(Path.Combine(chartDirectory, "templates")).Order(StringComparer.Ordinal).ToList();
        var defines = new Dictionary<string, List<Node>>();
        var parsed = templates.ToDictionary(t => t, t => Parse(File.ReadAllText(t), defines));
        var documents = new List<Document>();
        foreach (var template in templates.Where(t => !Path.GetFileName(t).StartsWith('_')))
        {
            var output = new StringBuilder();
            new Renderer(defines).Write(parsed[template], new Scope(root, root, []), output);
            foreach (var text in DocumentSeparator().Split(output.ToString()))
            {
                var stream = new YamlStream();
                stream.Load(new StringReader(text));
                foreach (var document in stream.Documents)
                    if (document.RootNode is YamlMappingNode mapping)
                        documents.Add(new Document(Path.GetFileName(template), mapping));
            }
        }
        return documents;
    }

    // ---- values ----

    private static object? Load(string path)
    {
        var stream = new YamlStream();
        using (var reader = File.OpenText(path)) stream.Load(reader);
        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
    }

    /// <summary>YAML as Helm sees it: plain scalars are booleans, numbers or null where they read as such.</summary>
    private static object? Convert(YamlNode node) => node switch
    {
        YamlMappingNode m => m.Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => Convert(c.Value)),
        YamlSequenceNode s => s.Children.Select(Convert).ToList(),
        YamlScalarNode { Style: not YamlDotNet.Core.ScalarStyle.Plain } q => q.Value,
        YamlScalarNode { Value: null or "" or "~" or "null" } => null,
        YamlScalarNode { Value: "true" } => true,
        YamlScalarNode { Value: "false" } => false,
        YamlScalarNode p when long.TryParse(p.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l,
        YamlScalarNode p => p.Value,
        _ => throw new NotSupportedException($"YAML node {node.NodeType}"),
    };

    private static Dictionary<string, object?> Merge(Dictionary<string, object?> under, Dictionary<string, object?> over)
    {
        var merged = new Dictionary<string, object?>(under);
        foreach (var (key, value) in over)
            merged[key] = value is Dictionary<string, object?> o && merged.GetValueOrDefault(key) is Dictionary<string, object?> u ? Merge(u, o) : value;
        return merged;
    }

    // ---- parsing ----

    private abstract record Node;
    private sealed record Text(string Value) : Node;
    private sealed record Output(string Pipeline) : Node;
    private sealed record If(string Condition, List<Node> Then, List<Node> Else) : Node;
    private sealed record Range(string? Index, string? Item, string Pipeline, List<Node> Body) : Node;

    private static List<Node> Parse(string source, Dictionary<string, List<Node>> defines)
    {
        // Tokens: text and actions, with {{- and -}} trimming the neighbouring whitespace as Go's templates do.
        var tokens = new List<(bool IsAction, string Value)>();
        var position = 0;
        var trimNext = false;
        foreach (Match action in Action().Matches(source))
        {
            var text = source[position..action.Index];
            if (trimNext) text = text.TrimStart();
            if (action.Groups["left"].Success) text = text.TrimEnd();
            tokens.Add((false, text));
            tokens.Add((true, action.Groups["body"].Value.Trim()));
            trimNext = action.Groups["right"].Success;
            position = action.Index + action.Length;
        }
        var rest = source[position..];
        tokens.Add((false, trimNext ? rest.TrimStart() : rest));

        var index = 0;
        var top = Block(tokens, ref index, defines, out var ending);
        if (ending is not null) throw new FormatException($"Unexpected {{{{ {ending} }}}}");
        return top;
    }

    private static List<Node> Block(List<(bool IsAction, string Value)> tokens, ref int index, Dictionary<string, List<Node>> defines, out string? ending)
    {
        var nodes = new List<Node>();
        while (index < tokens.Count)
        {
            var (isAction, value) = tokens[index++];
            if (!isAction)
            {
                if (value.Length > 0) nodes.Add(new Text(value));
                continue;
            }
            if (value.StartsWith("/*", StringComparison.Ordinal)) continue;
            if (value is "end" or "else")
            {
                ending = value;
                return nodes;
            }
            var keyword = value.Split(' ', 2);
            switch (keyword[0])
            {
                case "define":
                    defines[Unquote(keyword[1].Trim())] = Expect(Block(tokens, ref index, defines, out var defineEnd), defineEnd, "end");
                    break;
                case "if":
                    var then = Block(tokens, ref index, defines, out var thenEnd);
                    var otherwise = thenEnd == "else" ? Expect(Block(tokens, ref index, defines, out var elseEnd), elseEnd, "end") : Expect([], thenEnd, "end");
                    nodes.Add(new If(keyword[1], then, otherwise));
                    break;
                case "range":
                    var header = RangeHeader().Match(keyword[1]);
                    if (!header.Success) throw new NotSupportedException($"range {keyword[1]}");
                    var body = Expect(Block(tokens, ref index, defines, out var rangeEnd), rangeEnd, "end");
                    nodes.Add(new Range(header.Groups["index"].Success ? header.Groups["index"].Value : null,
                        header.Groups["item"].Success ? header.Groups["item"].Value : null, header.Groups["expr"].Value, body));
                    break;
                case "with" or "block" or "template" or "else":
                    throw new NotSupportedException($"{{{{ {value} }}}} is outside the subset this renderer supports");
                default:
                    nodes.Add(new Output(value));
                    break;
            }
        }
        ending = null;
        return nodes;
    }

    private static List<Node> Expect(List<Node> nodes, string? ending, string expected) =>
        ending == expected ? nodes : throw new FormatException($"Expected {{{{ {expected} }}}}, found {ending ?? "the end of the file"}");

    // ---- rendering ----

    private sealed record Scope(object? Dot, object? Root, Dictionary<string, object?> Variables);

    private sealed class Renderer(Dictionary<string, List<Node>> defines)
    {
        public void Write(List<Node> nodes, Scope scope, StringBuilder output)
        {
            foreach (var node in nodes)
                switch (node)
                {
                    case Text t: output.Append(t.Value); break;
                    case Output o: output.Append(Str(Evaluate(o.Pipeline, scope))); break;
                    case If i: Write(Truthy(Evaluate(i.Condition, scope)) ? i.Then : i.Else, scope, output); break;
                    case Range r:
                        var items = Evaluate(r.Pipeline, scope) switch
                        {
                            null => [],
                            List<object?> list => list.Select((item, n) => ((object?)(long)n, item)).ToList(),
                            Dictionary<string, object?> map => map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => ((object?)p.Key, p.Value)).ToList(),
                            var other => throw new NotSupportedException($"range over {other.GetType().Name}"),
                        };
                        foreach (var (key, item) in items)
                        {
                            var variables = new Dictionary<string, object?>(scope.Variables);
                            if (r.Index is not null) variables[r.Index] = key;
                            if (r.Item is not null) variables[r.Item] = item;
                            Write(r.Body, new Scope(item, scope.Root, variables), output);
                        }
                        break;
                }
        }

        private object? Evaluate(string pipeline, Scope scope)
        {
            object? value = null;
            var first = true;
            foreach (var command in SplitOutsideQuotes(pipeline, '|'))
            {
                var words = SplitOutsideQuotes(command, ' ').Where(w => w.Length > 0).ToList();
                if (first && words.Count == 1 && !IsFunction(words[0])) value = Operand(words[0], scope);
                else
                {
                    var arguments = words.Skip(1).Select(w => Operand(w, scope)).ToList();
                    if (!first) arguments.Add(value);
                    value = Call(words[0], arguments);
                }
                first = false;
            }
            return value;
        }

        private static bool IsFunction(string word) => word is "default" or "quote" or "required" or "toYaml" or "nindent" or "indent" or "not" or "include";

        private object? Call(string function, List<object?> a) => function switch
        {
            "include" => Include((string)a[0]!, a[1]),
            "default" => Truthy(a[1]) ? a[1] : a[0],
            "quote" => "\"" + Str(a[0]).Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"",
            "required" => Truthy(a[1]) ? a[1] : throw new InvalidOperationException((string)a[0]!),
            "toYaml" => new SerializerBuilder().WithQuotingNecessaryStrings().Build().Serialize(a[0]).TrimEnd('\n'),
            "nindent" => "\n" + Indent((int)(long)a[0]!, Str(a[1])),
            "indent" => Indent((int)(long)a[0]!, Str(a[1])),
            "not" => !Truthy(a[0]),
            _ => throw new NotSupportedException($"function {function}"),
        };

        private string Include(string name, object? dot)
        {
            var output = new StringBuilder();
            Write(defines.TryGetValue(name, out var body) ? body : throw new KeyNotFoundException($"No template {name}"),
                new Scope(dot, dot, []), output);
            return output.ToString();
        }

        private object? Operand(string word, Scope scope)
        {
            if (word.StartsWith('"')) return Unquote(word);
            if (long.TryParse(word, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)) return number;
            var path = word.Split('.');
            object? value = path[0] switch
            {
                "" => scope.Dot,
                "$" => scope.Root,
                var variable when variable.StartsWith('$') => scope.Variables.TryGetValue(variable, out var v) ? v : throw new KeyNotFoundException(variable),
                _ => throw new NotSupportedException($"operand {word}"),
            };
            foreach (var field in path.Skip(1).Where(f => f.Length > 0))
                value = value is Dictionary<string, object?> map ? map.GetValueOrDefault(field) : null;
            return value;
        }
    }

    private static bool Truthy(object? value) => value switch
    {
        null => false,
        bool b => b,
        string s => s.Length > 0,
        long l => l != 0,
        System.Collections.ICollection c => c.Count > 0,
        _ => true,
    };

    private static string Str(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Indent(int spaces, string text) =>
        string.Join('\n', text.Split('\n').Select(line => new string(' ', spaces) + line));

    private static string Unquote(string literal) =>
        literal.Length >= 2 && literal[0] == '"' && literal[^1] == '"'
            ? literal[1..^1].Replace("\\\"", "\"").Replace("\\\\", "\\")
            : throw new FormatException($"Not a string literal: {literal}");

    private static List<string> SplitOutsideQuotes(string text, char separator)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"') quoted = !quoted;
            if (c == separator && !quoted)
            {
                parts.Add(current.ToString().Trim());
                current.Clear();
            }
            else current.Append(c);
        }
        parts.Add(current.ToString().Trim());
        return parts;
    }

    [GeneratedRegex(@"\{\{(?<left>-\s)?(?<body>.*?)(?<right>\s-)?\}\}", RegexOptions.Singleline)]
    private static partial Regex Action();

    [GeneratedRegex(@"^\s*(?:(?<index>\$\w+)\s*,\s*)?(?:(?<item>\$\w+)\s*:=\s*)?(?<expr>.+?)\s*$")]
    private static partial Regex RangeHeader();

    [GeneratedRegex(@"^---\s*$", RegexOptions.Multiline)]
    private static partial Regex DocumentSeparator();
}
