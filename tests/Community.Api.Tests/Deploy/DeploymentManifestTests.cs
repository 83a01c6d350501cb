using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Community.Api.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;
using static Community.Api.Tests.Deploy.DeployFiles;

namespace Community.Api.Tests.Deploy;

/// <summary>
/// The Dockerfile, the SDK's container settings, the compose files and the Helm chart, checked against the service
/// itself: what they set is what it reads, the port and probe paths are its own, the verbs they run are its verbs.
/// No container runtime or Helm is needed: the chart is rendered by <see cref="HelmTemplate"/>.
/// </summary>
public sealed class DeploymentManifestTests(ConfigurationReads reads, SqliteApp app)
    : IClassFixture<ConfigurationReads>, IClassFixture<SqliteApp>
{
    private const string Port = "8020";
    private static readonly string[] Entrypoint = ["dotnet", "/app/Community.Api.dll"];

    // The service's own command definitions; each verb is run for real in Cli/ (HealthcheckCommandTests, StartupTests for migrate).
    private static readonly string[] ServiceVerbs = [.. Community.Api.Cli.OperatorCommandLine.Create().Subcommands.Select(c => c.Name)];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly IReadOnlyList<HelmTemplate.Document> Chart =
        HelmTemplate.Render(DeployFiles.Chart, "community", Path.Combine(DeployFiles.Chart, "ci", "test-values.yaml"));

    private static HelmTemplate.Document Helm(string kind) => Chart.Single(d => d.Kind == kind);

    private static YamlMappingNode Container(string kind) =>
        Helm(kind).Root.At("spec", "template", "spec", "containers").Items().Single();

    /// <summary>Everything the chart's pods get from their Secret: the keys the chart writes into it.</summary>
    private static IEnumerable<string> SecretKeys => ((YamlMappingNode)Helm("Secret").Root["stringData"]).Children.Keys.Select(ValueOf);

    private static Dictionary<string, string> Env(YamlMappingNode container) =>
        container.At("env").Items().ToDictionary(e => ValueOf(e["name"]), e => e.At("value") is { } v ? ValueOf(v) : "");

    /// <summary>Every environment variable a deployment file sets for this service, with where it is set.</summary>
    private static IEnumerable<(string Where, string Name)> EnvironmentSet()
    {
        foreach (var name in ReadDockerfile().Environment.Keys) yield return ("Dockerfile", name);
        foreach (var name in ReadContainerSettings().Environment.Keys) yield return ("Community.Api.csproj", name);
        foreach (var service in ReadComposeServices().Where(s => s.RunsThisService))
            foreach (var name in service.Environment.Keys) yield return ($"{service.File} {service.Name}", name);
        foreach (var kind in new[] { "Deployment", "Job" })
            foreach (var name in Env(Container(kind)).Keys) yield return ($"chart {kind}", name);
        foreach (var name in SecretKeys) yield return ("chart Secret", name);
    }

    [Fact]
    public void EveryManifestParsesAndTheChartRendersEveryKind()
    {
        Assert.NotEmpty(ReadDockerfile().Lines);
        Assert.Equal(["compose.waddlebot.yml", "compose.yml"], ComposeFiles.Select(f => Path.GetFileName(f)));
        Assert.Equal(["Deployment", "HorizontalPodAutoscaler", "Job", "PodDisruptionBudget", "Secret", "Service"],
            Chart.Select(d => d.Kind).Order());
    }

    [Fact]
    public void EveryVariableTheManifestsSetIsOneTheServiceReads()
    {
        var unread = EnvironmentSet().Where(e => !reads.ServiceReads(e.Name)).Select(e => $"{e.Where}: {e.Name}").ToList();
        Assert.True(unread.Count == 0, "Set but never read by the service:\n" + string.Join('\n', unread));
    }

    [Fact]
    public void TheRecordingTellsASettingFromAnythingElse()
    {
        // Options bound on first use (Tiers, Webhooks) count too, and a list's elements where the list is read whole.
        foreach (var read in new[] { "MODULE_PORT", "DATABASE_URL", "REDIS_URL", "Auth__ApiKeys__7__Scopes__3", "ASPNETCORE_HTTP_PORTS",
                     "Tiers__Free__MaxPlatforms", "Webhooks__TimeoutSeconds", "Webhooks__AllowedHosts__2" })
            Assert.True(reads.ServiceReads(read), read);
        foreach (var unread in new[] { "MODULE_NAME", "ROUTER_API_URL", "Auth__ApiKeys__0__Secret", "DATABASE_HOST", "Tiers__Gold__MaxPlatforms",
                     "Webhooks__TimeoutSeconds__0" })
            Assert.False(reads.ServiceReads(unread), unread);
    }

    [Fact]
    public void TheRecordingStaysInsideItsOwnApp()
    {
        // Other tests build apps of their own in this process; a recorder in theirs would keep what they write.
        var configuration = (Microsoft.Extensions.Configuration.IConfigurationRoot)WebApplication.CreateBuilder().Configuration;
        Assert.DoesNotContain(configuration.Providers, p => p.GetType().DeclaringType == typeof(ConfigurationReads));
    }

    [Fact]
    public void EveryDeploymentGivesWhatAProductionStartRequires()
    {
        var deployments = ReadComposeServices().Where(s => s.RunsThisService)
            .Select(s => ($"{s.File} {s.Name}", s.Environment.Keys.ToHashSet()))
            .Concat(new[] { "Deployment", "Job" }.Select(kind => ($"chart {kind}", Env(Container(kind)).Keys.Concat(SecretKeys).ToHashSet())))
            .ToList();
        Assert.Equal(4, deployments.Count);
        foreach (var kind in new[] { "Deployment", "Job" }) // the Secret's keys reach the pods only through envFrom
            Assert.Equal(Helm("Secret").Name, ValueOf(Container(kind).At("envFrom", 0, "secretRef", "name")!));
        foreach (var (where, env) in deployments)
        {
            Assert.True(env.IsSupersetOf(["DATABASE_URL", "ENCRYPTION_KEY", "LOG_LEVEL"]), where);
            Assert.True(env.Contains("Auth__Jwt__Secret") || env.Contains("Auth__ApiKeys__0__Key"), $"{where} has no credentials");
        }
    }

    [Fact]
    public void TheServiceListensOn8020Everywhere()
    {
        var dockerfile = ReadDockerfile();
        Assert.Equal((Port, Port), (dockerfile.Environment["MODULE_PORT"], dockerfile.Argument("EXPOSE")));
        Assert.Equal("", dockerfile.Environment["ASPNETCORE_HTTP_PORTS"]); // the base image's 8080 would compete

        var sdk = ReadContainerSettings();
        Assert.Equal([Port], sdk.Ports);
        Assert.Equal((Port, ""), (sdk.Environment["MODULE_PORT"], sdk.Environment["ASPNETCORE_HTTP_PORTS"]));

        foreach (var service in ReadComposeServices().Where(s => s.RunsThisService))
        {
            Assert.Equal(Port, service.Environment["MODULE_PORT"]);
            foreach (var published in service.Node.At("ports") is YamlSequenceNode ports ? ports.Children.Select(ValueOf) : [])
                Assert.EndsWith(":" + Port, published);
        }

        var container = Container("Deployment");
        var http = container.At("ports").Items().Single(p => ValueOf(p["name"]) == "http");
        Assert.Equal((Port, Port), (ValueOf(http["containerPort"]), Env(container)["MODULE_PORT"]));
        var servicePort = Helm("Service").Root.At("spec", "ports").Items().Single();
        Assert.Equal((Port, "http"), (ValueOf(servicePort["port"]), ValueOf(servicePort["targetPort"])));
    }

    [Fact]
    public async Task LivenessIsHealthAndReadinessIsHealthzBothOpenRoutesOfTheService()
    {
        var container = Container("Deployment");
        string Probe(string probe) => ValueOf(container.At(probe, "httpGet", "path")!);
        Assert.Equal(("/health", "/health", "/healthz"), (Probe("startupProbe"), Probe("livenessProbe"), Probe("readinessProbe")));
        foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
            Assert.Equal("http", ValueOf(container.At(probe, "httpGet", "port")!));

        if (app.SkipReason is not null) Assert.Skip(app.SkipReason);
        foreach (var path in new[] { "/health", "/healthz" })
            Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().GetAsync(path, Ct)).StatusCode);
    }

    [Fact]
    public void ManifestsRunOnlyTheServicesOwnVerbsAndNeedNoShellOrCurl()
    {
        var dockerfile = ReadDockerfile();
        Assert.Equal(Entrypoint, dockerfile.Exec("ENTRYPOINT"));
        var commands = new List<string[]> { dockerfile.Exec("HEALTHCHECK") };
        commands.AddRange(ReadComposeServices().Where(s => s.RunsThisService).Select(s => s.HealthcheckTest.Skip(1).ToArray()));
        Assert.All(ReadComposeServices().Where(s => s.RunsThisService), s => Assert.Equal("CMD", s.HealthcheckTest[0]));

        var verbs = commands.Select(c =>
        {
            Assert.Equal(Entrypoint, c[..^1]);
            return c[^1];
        }).ToList();
        verbs.AddRange(Container("Job").At("args") is YamlSequenceNode args ? args.Children.Select(ValueOf) : []);
        Assert.Null(Container("Deployment").At("args"));
        Assert.Null(Container("Deployment").At("command"));

        Assert.Equal(["healthcheck", "migrate"], verbs.Distinct().Order());
        Assert.Subset(ServiceVerbs.ToHashSet(), verbs.ToHashSet());
    }

    [Fact]
    public void TheImageAndThePodsRunAsANonRootUser()
    {
        Assert.Equal("$APP_UID", ReadDockerfile().Argument("USER"));
        Assert.Equal("app", ReadContainerSettings().User);
        foreach (var kind in new[] { "Deployment", "Job" })
        {
            var pod = Helm(kind).Root.At("spec", "template", "spec")!;
            Assert.Equal("true", ValueOf(pod.At("securityContext", "runAsNonRoot")!));
            Assert.NotEqual("0", ValueOf(pod.At("securityContext", "runAsUser")!));
            Assert.Equal("false", ValueOf(pod.At("automountServiceAccountToken")!));
            var container = Container(kind);
            Assert.Equal("true", ValueOf(container.At("securityContext", "readOnlyRootFilesystem")!));
            Assert.Equal("false", ValueOf(container.At("securityContext", "allowPrivilegeEscalation")!));
            Assert.Equal("ALL", ValueOf(container.At("securityContext", "capabilities", "drop", 0)!));
            Assert.NotNull(container.At("resources", "limits", "memory"));
        }
    }

    [Fact]
    public void TheDropInIsTheFleetsCoreCommunityServiceOnItsInternalNetwork()
    {
        // The fleet's docker-compose.yml names this module's service core-community, on waddlebot-internal, with
        // infra-postgres and infra-redis beside it.
        var service = ReadComposeServices().Single(s => s.File == "compose.waddlebot.yml");
        Assert.Equal("core-community", service.Name);
        Assert.Equal("core-community", ValueOf(service.Node["container_name"]));
        Assert.Equal(["waddlebot-internal"], ((YamlSequenceNode)service.Node["networks"]).Children.Select(ValueOf));
        Assert.Null(service.Node.At("ports")); // internal only, like every fleet module behind the gateway
        var env = service.Environment;
        Assert.StartsWith("postgresql://", env["DATABASE_URL"]);
        Assert.Contains("@infra-postgres:5432/", env["DATABASE_URL"]);
        Assert.Contains("@infra-redis:6379", env["REDIS_URL"]);
        Assert.Equal("${LOG_LEVEL:-INFO}", env["LOG_LEVEL"]);
    }

    [Fact]
    public void TheMigrationRunsAsAHookBeforeRolloutWithItsSecretAlreadyThere()
    {
        static (string Hooks, int Weight) Hook(HelmTemplate.Document d) =>
            (ValueOf(d.Root.At("metadata", "annotations", "helm.sh/hook")!), int.Parse(ValueOf(d.Root.At("metadata", "annotations", "helm.sh/hook-weight")!)));
        var job = Hook(Helm("Job"));
        var secret = Hook(Helm("Secret"));
        Assert.Equal(("pre-install,pre-upgrade", "pre-install,pre-upgrade"), (job.Hooks, secret.Hooks));
        Assert.True(secret.Weight < job.Weight, "the Secret must exist before the Job that reads it");

        var selector = Labels(Helm("Service").Root.At("spec", "selector"));
        Assert.True(selector.IsSubsetOf(Labels(Helm("Deployment").Root.At("spec", "template", "metadata", "labels"))));
        Assert.False(selector.IsSubsetOf(Labels(Helm("Job").Root.At("spec", "template", "metadata", "labels"))),
            "the Service would route requests to the migration pod");
        Assert.Equal(selector, Labels(Helm("PodDisruptionBudget").Root.At("spec", "selector", "matchLabels")));
        Assert.Equal(Helm("Deployment").Name, ValueOf(Helm("HorizontalPodAutoscaler").Root.At("spec", "scaleTargetRef", "name")!));
    }

    [Fact]
    public void WithDefaultValuesThereIsNoAutoscalerAndAnExistingSecretIsUsedAsIs()
    {
        var values = Path.Combine(Path.GetTempPath(), $"community-values-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(values, "existingSecret: community-secrets\n");
        try
        {
            var chart = HelmTemplate.Render(DeployFiles.Chart, "community", values);
            Assert.Equal(["Deployment", "Job", "PodDisruptionBudget", "Service"], chart.Select(d => d.Kind).Order());
            var deployment = chart.Single(d => d.Kind == "Deployment").Root;
            Assert.Equal("2", ValueOf(deployment.At("spec", "replicas")!));
            Assert.Equal("community-secrets", ValueOf(deployment.At("spec", "template", "spec", "containers", 0, "envFrom", 0, "secretRef", "name")!));
        }
        finally
        {
            File.Delete(values);
        }
    }

    [Fact]
    public void TheRendererAgreesWithHelmWhereHelmIsInstalled()
    {
        var helm = Environment.GetEnvironmentVariable("HELM") is { Length: > 0 } h ? h
            : Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(d => Path.Combine(d, "helm")).FirstOrDefault(File.Exists);
        if (helm is null) Assert.Skip("helm is not installed here (set HELM to its path to compare)");

        var start = new ProcessStartInfo(helm, ["template", "community", DeployFiles.Chart, "-f", Path.Combine(DeployFiles.Chart, "ci", "test-values.yaml")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, process.StandardError.ReadToEnd());

        var stream = new YamlStream();
        stream.Load(new StringReader(output));
        var byHelm = stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToDictionary(r => Key(r));
        Assert.Equal(byHelm.Keys.Order(), Chart.Select(d => Key(d.Root)).Order());
        foreach (var document in Chart)
            Assert.True(Same(byHelm[Key(document.Root)], document.Root), $"{Key(document.Root)} differs from Helm's");
    }

    private static string Key(YamlMappingNode root) => $"{ValueOf(root["kind"])}/{ValueOf(root.At("metadata", "name")!)}";

    /// <summary>Equal as YAML data: mappings by key in any order, sequences in order, scalars by value whatever their quoting.</summary>
    private static bool Same(YamlNode a, YamlNode b) => (a, b) switch
    {
        (YamlMappingNode x, YamlMappingNode y) => x.Children.Count == y.Children.Count
            && x.Children.All(c => y.Children.TryGetValue(c.Key, out var other) && Same(c.Value, other)),
        (YamlSequenceNode x, YamlSequenceNode y) => x.Children.Count == y.Children.Count && x.Children.Zip(y.Children).All(p => Same(p.First, p.Second)),
        (YamlScalarNode x, YamlScalarNode y) => x.Value == y.Value,
        _ => false,
    };

    private static HashSet<string> Labels(YamlNode? labels) =>
        labels is YamlMappingNode m ? m.Children.Select(c => $"{ValueOf(c.Key)}={ValueOf(c.Value)}").ToHashSet() : [];
}
