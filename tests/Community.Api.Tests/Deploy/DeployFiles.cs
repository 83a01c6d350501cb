using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using YamlDotNet.RepresentationModel;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Deploy;

/// <summary>The repository's deployment files, read as the tools that use them would read them.</summary>
public static partial class DeployFiles
{
    public const string ImageRepository = "waddlebot/core-community";

    private static string Root => Repository.Root;

    public static string Chart => Path.Combine(Root, "deploy", "helm", "community-module");

    // ---- Dockerfile ----

    public sealed record Dockerfile(IReadOnlyList<(string Instruction, string Arguments)> Lines)
    {
        /// <summary>The final stage: what the image is.</summary>
        public IEnumerable<(string Instruction, string Arguments)> Runtime =>
            Lines.Skip(Lines.Select((l, i) => (l, i)).Last(x => x.l.Instruction == "FROM").i);

        public Dictionary<string, string> Environment => Runtime.Where(l => l.Instruction == "ENV")
            .SelectMany(l => l.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");

        public string[] Exec(string instruction) =>
            JsonSerializer.Deserialize<string[]>(ExecForm().Match(Runtime.Last(l => l.Instruction == instruction).Arguments).Value)!;

        public string Argument(string instruction) => Runtime.Last(l => l.Instruction == instruction).Arguments;
    }

    public static Dockerfile ReadDockerfile()
    {
        var text = File.ReadAllText(Path.Combine(Root, "Dockerfile")).Replace("\\\n", " ");
        var lines = text.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(' ', 2) is var parts ? (parts[0].ToUpperInvariant(), parts.Length > 1 ? parts[1].Trim() : "") : default)
            .ToList();
        return new Dockerfile(lines);
    }

    // ---- the SDK's container settings ----

    public sealed record ContainerSettings(IReadOnlyDictionary<string, string> Environment, IReadOnlyList<string> Ports, string? User);

    public static ContainerSettings ReadContainerSettings()
    {
        var project = XDocument.Load(Path.Combine(Root, "src", "Community.Api", "Community.Api.csproj"));
        var items = project.Descendants();
        return new ContainerSettings(
            items.Where(e => e.Name.LocalName == "ContainerEnvironmentVariable")
                .ToDictionary(e => (string)e.Attribute("Include")!, e => (string?)e.Attribute("Value") ?? ""),
            items.Where(e => e.Name.LocalName == "ContainerPort").Select(e => (string)e.Attribute("Include")!).ToList(),
            items.FirstOrDefault(e => e.Name.LocalName == "ContainerUser")?.Value);
    }

    // ---- compose ----

    public sealed record ComposeService(string File, string Name, YamlMappingNode Node)
    {
        public bool RunsThisService => Node.Children.TryGetValue("image", out var image) && ((YamlScalarNode)image).Value!.StartsWith(ImageRepository + ":");

        public Dictionary<string, string> Environment =>
            Node.Children.TryGetValue("environment", out var env)
                ? ((YamlMappingNode)env).Children.ToDictionary(c => ValueOf(c.Key), c => ValueOf(c.Value))
                : [];

        public string[] HealthcheckTest => ((YamlSequenceNode)((YamlMappingNode)Node["healthcheck"])["test"]).Children.Select(ValueOf).ToArray();
    }

    public static IReadOnlyList<string> ComposeFiles => Directory.GetFiles(Path.Combine(Root, "deploy"), "compose*.yml").Order().ToList();

    public static IReadOnlyList<ComposeService> ReadComposeServices() => ComposeFiles
        .SelectMany(file =>
        {
            var services = (YamlMappingNode)Yaml(file)["services"];
            return services.Children.Select(s => new ComposeService(Path.GetFileName(file), ValueOf(s.Key), (YamlMappingNode)s.Value));
        })
        .ToList();

    // ---- YAML ----

    public static YamlMappingNode Yaml(string path)
    {
        var stream = new YamlStream();
        using (var reader = File.OpenText(path)) stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    public static string ValueOf(YamlNode node) => ((YamlScalarNode)node).Value ?? "";

    public static YamlNode? At(this YamlNode node, params object[] path)
    {
        foreach (var step in path)
            node = (step, node) switch
            {
                (string key, YamlMappingNode m) when m.Children.TryGetValue(key, out var child) => child,
                (int i, YamlSequenceNode s) when i < s.Children.Count => s.Children[i],
                _ => null!,
            };
        return node;
    }

    public static IEnumerable<YamlMappingNode> Items(this YamlNode? node) =>
        node is YamlSequenceNode s ? s.Children.OfType<YamlMappingNode>() : [];

    [GeneratedRegex(@"\[.*\]")]
    private static partial Regex ExecForm();
}
