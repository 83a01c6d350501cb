using Community.Api.Webhooks;
using System.Diagnostics;
using System.Text.Json;
using Community.Api.Events;
using Community.Api.Tests.Infrastructure;
using CsCheck;

namespace Community.Api.Tests.Fuzz;

/// <summary>
/// Schema-driven fuzzing of the whole API: malformed requests for every operation of the live OpenAPI document, sampled
/// at random as a service with every scope and as a plain member, and swept (each part of each operation broken in each
/// way, one at a time) as the service. Whatever the input, the answer is never a 5xx, it is a status the document lists
/// for the operation, and every 4xx is <c>application/problem+json</c> with a <c>code</c>. <c>FUZZ_CASES</c> (default 2000 per sampling test) and
/// <c>FUZZ_SECONDS</c> (default 18 per test) bound a run; a sampling failure prints the CsCheck seed of the failing
/// case, and <c>FUZZ_SEED=&lt;seed&gt;</c> replays it first; a sweep failure names the break.
/// </summary>
public abstract class ApiFuzzTests(TestApp app) : ApiTest(app)
{
    private static readonly int Cases = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_CASES"), out var n) && n > 0 ? n : 2000;
    private static readonly double Seconds = double.TryParse(Environment.GetEnvironmentVariable("FUZZ_SECONDS"), out var s) && s > 0 ? s : 18;
    private static readonly string? Seed = Environment.GetEnvironmentVariable("FUZZ_SEED") is { Length: > 0 } seed ? seed : null;

    [Fact]
    public async Task NoMalformedRequestOfAServiceWithEveryScopeIsAServerError()
    {
        var (world, _) = await WorldAsync();
        await FuzzAsync(App.Service(), world);
    }

    [Fact]
    public async Task NoMalformedRequestOfAPlainMemberIsAServerError()
    {
        var (world, member) = await WorldAsync();
        await FuzzAsync(App.User(member), world);
    }

    [Fact]
    public async Task NoSingleBrokenPartOfAnyOperationIsAServerError()
    {
        var (world, _) = await WorldAsync();
        var client = App.Service();
        var requests = new MalformedRequests(await OperationsAsync(), world);
        // Shuffled, so that a run cut short by the time bound still covers every operation a little.
        var sweep = requests.Sweep().OrderBy(_ => Random.Shared.Next()).ToList();
        var clock = Stopwatch.StartNew();
        var sent = 0;
        foreach (var (broken, request) in sweep)
        {
            if (clock.Elapsed.TotalSeconds > Seconds) break;
            var sample = request.Single();
            try { await SendAndCheckAsync(client, sample); }
            catch (Xunit.Sdk.XunitException e) { throw new Xunit.Sdk.XunitException($"Sweep break {broken}: {e.Message}"); }
            sent++;
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"sweep: {sent} of {sweep.Count} single breaks in {clock.Elapsed.TotalSeconds:F1} s");
    }

    private async Task<IReadOnlyList<Operation>> OperationsAsync()
    {
        var operations = OpenApiOperations.Read(JsonDocument.Parse(await App.Anonymous().GetStringAsync("/openapi/v1.json", Ct)).RootElement);
        Assert.True(operations.Count > 40, $"The OpenAPI document lists only {operations.Count} operations.");
        return operations;
    }

    /// <summary>Some real rows, so that generated ids reach handlers and not only "not found".</summary>
    private async Task<(FuzzWorld World, long Member)> WorldAsync()
    {
        var community = await App.Community(extra: new { tier = "premium" });
        var (id, owner) = (community.Long("id"), community.Long("owner_id"));
        var channel = $"fuzz-{Guid.NewGuid():N}"[..16];
        await App.Connect(id, "twitch", channel);
        var member = (await App.Join(channel, "fuzz-member")).Long("hub_user_id");
        var other = (await App.Join(channel, "fuzz-other")).Long("hub_user_id");
        await App.SetReputation(id, member, 650);
        var hidden = (await App.Community(extra: new { is_public = false })).Long("id");
        var webhook = await App.Db(async db =>
        {
            var subscription = new WebhookSubscription
            {
                Url = "http://127.0.0.1:9/hook", EventTypesJson = "[]", CommunityId = id, SecretCiphertext = "unused", CreatedBy = "fuzz",
                CreatedAt = DateTime.UtcNow,
            };
            db.WebhookSubscriptions.Add(subscription);
            await db.SaveChangesAsync();
            return subscription.Id;
        });
        return (new FuzzWorld([id, hidden], [owner, member, other], [webhook], [channel, "fuzz-member", "fuzz-other"]), member);
    }

    private async Task FuzzAsync(HttpClient client, FuzzWorld world)
    {
        var operations = await OperationsAsync();
        var requests = new MalformedRequests(operations, world);

        var clock = Stopwatch.StartNew();
        var sent = 0;
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        var output = TestContext.Current.TestOutputHelper;
        try
        {
            // In rounds, so that the time bound stops generation too; FUZZ_SEED is the first case of the first round.
            for (var seed = Seed; sent < Cases && clock.Elapsed.TotalSeconds < Seconds; seed = null)
                await requests.Any.SampleAsync(async request =>
                {
                    if (clock.Elapsed.TotalSeconds > Seconds) return;
                    sent++;
                    statuses.AddOrUpdate(await SendAndCheckAsync(client, request), 1, (_, c) => c + 1);
                }, seed: seed, iter: Math.Min(100, Cases - sent), threads: 1);
        }
        catch (CsCheckException e)
        {
            throw new Xunit.Sdk.XunitException(
                $"{e.Message}\n{e.InnerException?.Message}\nReplay the failing case with FUZZ_SEED=<the seed above> dotnet test --filter \"FullyQualifiedName~{GetType().Name}\".");
        }
        output?.WriteLine($"fuzz: {sent} requests over {operations.Count} operations in {clock.Elapsed.TotalSeconds:F1} s; statuses: "
            + string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => $"{p.Key} × {p.Value}")));
    }

    /// <summary>Whether the request's path, once dot segments are resolved as every client and server does, still has its template's shape.</summary>
    private static bool StaysOnItsPath(FuzzRequest request)
    {
        var path = new Uri(new Uri("http://localhost"), request.Url).AbsolutePath.Replace("%2e", ".", StringComparison.OrdinalIgnoreCase);
        var segments = path.TrimEnd('/').Split('/');
        return segments.Length == request.Operation.Path.TrimEnd('/').Split('/').Length && !segments.Any(s => s is "." or "..");
    }

    /// <summary>Sends the request and checks the answer; returns its status (0 when it could not be sent).</summary>
    private async Task<int> SendAndCheckAsync(HttpClient client, FuzzRequest request)
    {
        HttpRequestMessage message;
        try { message = new HttpRequestMessage(new HttpMethod(request.Method), request.Url); }
        catch (UriFormatException) { return 0; } // not a URL any client could send
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
            if (request.ContentType is not null) message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
        }
        foreach (var (name, value) in request.Headers) message.Headers.TryAddWithoutValidation(name, value);

        using var response = await client.SendAsync(message, Ct);
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync(Ct);
        if (status >= 500) throw new Xunit.Sdk.XunitException($"{status} for {request}\n→ {text}");
        // A request sent with another method, or whose path no longer routes to the operation (405, or dot segments that
        // make it another path), is answered by routing or by another operation; anything else must be a status the
        // operation lists.
        if (request.Method == request.Operation.Method && status != 405 && StaysOnItsPath(request) && !request.Operation.Documents(status))
            throw new Xunit.Sdk.XunitException($"{status}, which the OpenAPI document does not list for {request.Operation}, for {request}\n→ {text}");
        if (status < 400) return status;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType != "application/problem+json")
            throw new Xunit.Sdk.XunitException($"{status} with content type {mediaType ?? "(none)"} for {request}\n→ {text}");
        string? code = null;
        try { code = JsonDocument.Parse(text).RootElement.GetProperty("code").GetString(); }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException) { }
        if (string.IsNullOrEmpty(code)) throw new Xunit.Sdk.XunitException($"{status} without a code for {request}\n→ {text}");
        return status;
    }
}

public sealed class ApiFuzzTestsOnSqlite(SqliteApp app) : ApiFuzzTests(app), IClassFixture<SqliteApp>;

public sealed class ApiFuzzTestsOnPostgres(PostgresApp app) : ApiFuzzTests(app), IClassFixture<PostgresApp>;
