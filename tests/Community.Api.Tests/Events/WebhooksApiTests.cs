using System.Net;
using System.Security.Cryptography;
using System.Text;
using Community.Api.Security;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Api.Tests.Events;

public abstract class WebhooksApiTests(TestApp app) : EventsTest(app)
{
    // 127.0.0.1 is in Webhooks:AllowedHosts of the test apps; nothing needs to listen for these tests.
    private const string Target = "http://127.0.0.1:9/hook";

    [Fact]
    public async Task CreateShowsTheSecretOnceAndNeverAgain()
    {
        var communityId = (await App.Community()).Long("id");
        var body = new { url = Target, event_types = new[] { "settings.updated" }, community_id = communityId };
        var response = await App.Service().Post("/api/v1/webhooks", body, idempotencyKey: "create-webhook-1");
        var created = await response.Data(HttpStatusCode.Created);
        var id = created.Long("id");
        var secret = created.Str("secret");
        Assert.StartsWith("whsec_", secret);
        Assert.True(Convert.FromBase64String(secret["whsec_".Length..]).Length >= 24);
        Assert.Equal($"/api/v1/webhooks/{id}", response.Headers.Location!.OriginalString);
        Assert.Equal(["settings.updated"], created.GetProperty("event_types").EnumerateArray().Select(t => t.GetString()));
        Assert.True(created.Bool("is_active"));
        Assert.EndsWith("Z", created.Str("created_at"));

        var reads = new[] { $"/api/v1/webhooks/{id}", $"/api/v1/webhooks?community_id={communityId}", "/api/v1/webhooks", $"/api/v1/webhooks/{id}/deliveries" };
        foreach (var url in reads)
        {
            var text = await (await App.Service().GetAsync(url, Ct)).Content.ReadAsStringAsync(Ct);
            Assert.DoesNotContain(secret, text);
            Assert.DoesNotContain("\"secret\"", text);
        }
        Assert.Equal(id, (await (await App.Service().GetAsync($"/api/v1/webhooks?community_id={communityId}", Ct)).Data())[0].Long("id"));

        // At rest it is sealed, in the subscription and in the copy kept for Idempotency-Key replays.
        var stored = await App.Db(db => db.WebhookSubscriptions.SingleAsync(s => s.Id == id));
        Assert.DoesNotContain(secret, stored.SecretCiphertext);
        Assert.Equal(secret, App.Services.GetRequiredService<SecretProtector>().Unprotect(stored.SecretCiphertext));
        var kept = await App.Db(db => db.IdempotencyRecords.SingleAsync(r => r.IdempotencyKey == "create-webhook-1"));
        Assert.DoesNotContain(secret, Encoding.UTF8.GetString(kept.Body!));
        var replay = await App.Service().Post("/api/v1/webhooks", body, idempotencyKey: "create-webhook-1");
        Assert.Equal(secret, (await replay.Data(HttpStatusCode.Created)).Str("secret"));
        Assert.Equal(1, await App.Db(db => db.WebhookSubscriptions.CountAsync(s => s.CommunityId == communityId)));

        Assert.DoesNotContain(secret["whsec_".Length..], App.Logs.All);
    }

    [Fact]
    public async Task AKeptReplySealedWithAKeyNoLongerConfiguredIsRefusedNot500()
    {
        var communityId = (await App.Community()).Long("id");
        var body = new { url = Target, event_types = new[] { "settings.updated" }, community_id = communityId };
        await (await App.Service().Post("/api/v1/webhooks", body, idempotencyKey: "create-webhook-gone-key")).Data(HttpStatusCode.Created);
        // As if ENCRYPTION_PREVIOUS_KEYS lost the key the reply was sealed with before its 24 hours were up.
        var otherKey = new SecretProtector(RandomNumberGenerator.GetBytes(32), []);
        await App.Db(db => db.IdempotencyRecords.Where(r => r.IdempotencyKey == "create-webhook-gone-key")
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Body, Encoding.UTF8.GetBytes(otherKey.Protect("{\"data\":{}}")))));

        var replay = await App.Service().Post("/api/v1/webhooks", body, idempotencyKey: "create-webhook-gone-key");
        await replay.Problem(HttpStatusCode.Conflict, "conflict");
        Assert.Equal(1, await App.Db(db => db.WebhookSubscriptions.CountAsync(s => s.CommunityId == communityId)));
    }

    [Theory]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://172.16.5.4/hook")]
    [InlineData("http://192.168.0.10/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://127.0.0.2:8080/hook")]
    [InlineData("http://0.0.0.0/hook")]
    [InlineData("http://[::1]:9000/hook")]
    [InlineData("http://[fd12:3456::1]/hook")]
    [InlineData("http://[::ffff:10.0.0.1]/hook")]
    [InlineData("http://localhost:8080/hook")]
    [InlineData("http://167772161/hook")] // 10.0.0.1 as one decimal number
    [InlineData("http://[::127.0.0.1]/hook")]
    [InlineData("http://[::ffff:127.0.0.1]/hook")]
    [InlineData("http://[::ffff:0:7f00:1]/hook")]
    [InlineData("http://[64:ff9b::7f00:1]/hook")]
    [InlineData("http://[64:ff9b:1::808:808]/hook")]
    [InlineData("http://[2002:7f00:1::]/hook")]
    [InlineData("http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook")]
    public async Task InternalTargetsAreRefused(string url)
    {
        var problem = await (await App.Service().Post("/api/v1/webhooks", new { url })).Problem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains("Webhooks:AllowedHosts", problem.GetProperty("errors").GetProperty("url")[0].GetString());
    }

    /// <summary>
    /// The refusal must not answer "what does this name resolve to inside your network?". The machine's own name
    /// resolves to internal addresses here (the loopback, a container or cloud-private address).
    /// </summary>
    [Fact]
    public async Task ANameThatResolvesInternallyIsRefusedWithoutSayingWhereItPoints()
    {
        var host = Dns.GetHostName();
        var addresses = await Dns.GetHostAddressesAsync(host, Ct);
        if (!addresses.Any(Api.Webhooks.WebhookTargets.IsInternal)) Assert.Skip($"'{host}' resolves to no internal address on this machine.");

        var problem = await (await App.Service().Post("/api/v1/webhooks", new { url = $"http://{host}:8080/hook" }))
            .Problem(HttpStatusCode.BadRequest, "validation_failed");
        var message = problem.GetProperty("errors").GetProperty("url")[0].GetString()!;
        Assert.Contains("internal address", message);
        Assert.All(addresses, a => Assert.DoesNotContain(a.ToString(), problem.ToString()));
    }

    [Theory]
    [InlineData("""{"event_types": []}""", "url")]
    [InlineData("""{"url": "ftp://example.com/hook"}""", "url")]
    [InlineData("""{"url": "/hook"}""", "url")]
    [InlineData("""{"url": "https://user:password@example.com/hook"}""", "url")]
    [InlineData("""{"url": "http://127.0.0.1:9/hook", "event_types": ["member.joined", "member.teleported"]}""", "event_types")]
    [InlineData("""{"url": "http://127.0.0.1:9/hook", "community_id": -4}""", "community_id")]
    public async Task InvalidSubscriptionsAre400(string json, string field)
    {
        var problem = await (await App.Service().PostRaw("/api/v1/webhooks", json)).Problem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task TooLongUrlIs400AndUnknownCommunityIs404()
    {
        var problem = await (await App.Service().Post("/api/v1/webhooks", new { url = $"http://127.0.0.1:9/{new string('a', 2048)}" }))
            .Problem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains("2048", problem.GetProperty("errors").GetProperty("url")[0].GetString());
        await (await App.Service().Post("/api/v1/webhooks", new { url = Target, community_id = 999999 })).Problem(HttpStatusCode.NotFound, "community_not_found");
    }

    [Fact]
    public async Task CommunityAdminsManageTheirWebhooksAndNobodyElse()
    {
        var open = await App.Community();
        var closed = await App.Community(extra: new { is_public = false });
        var owner = App.User(open.Long("owner_id"));
        var stranger = App.User(open.Long("owner_id") + 1000);

        var id = (await (await owner.Post("/api/v1/webhooks", new { url = Target, community_id = open.Long("id") })).Data(HttpStatusCode.Created)).Long("id");
        Assert.Equal(1, (await (await owner.GetAsync($"/api/v1/webhooks?community_id={open.Long("id")}", Ct)).Data()).GetArrayLength());

        await (await stranger.Post("/api/v1/webhooks", new { url = Target, community_id = open.Long("id") })).Problem(HttpStatusCode.Forbidden, "insufficient_role");
        await (await stranger.Post("/api/v1/webhooks", new { url = Target, community_id = 0 })).Problem(HttpStatusCode.BadRequest, "validation_failed");
        await (await stranger.Post("/api/v1/webhooks", new { url = Target, community_id = closed.Long("id") })).Problem(HttpStatusCode.NotFound, "community_not_found");
        await (await stranger.GetAsync($"/api/v1/webhooks?community_id={open.Long("id")}", Ct)).Problem(HttpStatusCode.Forbidden, "insufficient_role");
        // By id, a subscription the caller may not manage looks like one that does not exist (see the next test).
        foreach (var url in new[] { $"/api/v1/webhooks/{id}", $"/api/v1/webhooks/{id}/deliveries" })
            await (await stranger.GetAsync(url, Ct)).Problem(HttpStatusCode.NotFound, "not_found");
        await (await stranger.DeleteAsync($"/api/v1/webhooks/{id}", Ct)).Problem(HttpStatusCode.NotFound, "not_found");

        // Global subscriptions see every community: services and super admins only.
        await (await owner.Post("/api/v1/webhooks", new { url = Target })).Problem(HttpStatusCode.Forbidden, "forbidden");
        await (await owner.GetAsync("/api/v1/webhooks", Ct)).Problem(HttpStatusCode.BadRequest, "validation_failed");
        var global = await (await App.User(1, superAdmin: true).Post("/api/v1/webhooks", new { url = Target })).Data(HttpStatusCode.Created);
        await (await owner.GetAsync($"/api/v1/webhooks/{global.Long("id")}", Ct)).Problem(HttpStatusCode.NotFound, "not_found");

        Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync($"/api/v1/webhooks/{id}", Ct)).StatusCode);
        await (await owner.GetAsync($"/api/v1/webhooks/{id}", Ct)).Problem(HttpStatusCode.NotFound, "not_found");
        await (await owner.DeleteAsync($"/api/v1/webhooks/{id}", Ct)).Problem(HttpStatusCode.NotFound, "not_found");
    }

    /// <summary>
    /// Ids are sequential, so anyone could walk them. A caller who may not manage a subscription gets the answer of an
    /// id that does not exist, whether the subscription belongs to a private community (whose existence would leak),
    /// a public one, or no community at all: same status, code, title and detail but for the id, on every route by id.
    /// </summary>
    [Fact]
    public async Task ASubscriptionTheCallerMayNotManageIsIndistinguishableFromAMissingOne()
    {
        var open = await App.Community();
        var closed = await App.Community(extra: new { is_public = false });
        var closedMember = App.User(await App.InsertMember(closed.Long("id")));
        var callers = new[] { App.User(open.Long("owner_id") + 1000), closedMember, App.User(open.Long("owner_id")) };

        var inClosed = await (await App.Service().Post("/api/v1/webhooks", new { url = Target, community_id = closed.Long("id") })).Data(HttpStatusCode.Created);
        var inOpen = await (await App.Service().Post("/api/v1/webhooks", new { url = Target, community_id = open.Long("id") })).Data(HttpStatusCode.Created);
        var global = await (await App.Service().Post("/api/v1/webhooks", new { url = Target })).Data(HttpStatusCode.Created);
        await PatchSettingsAsync(closed.Long("id"), "a delivery to retry");
        await DrainAsync();
        var deliveryId = (await DeliveriesAsync(inClosed.Long("id")))[0].Long("id");
        var missing = global.Long("id") + 1000;

        foreach (var caller in callers)
        {
            var expected = await AnswersAsync(caller, missing, deliveryId);
            Assert.All(expected, a => Assert.Equal(("404", "not_found"), (a[0], a[1])));
            foreach (var id in new[] { inClosed.Long("id"), global.Long("id") })
                Assert.Equal(expected, await AnswersAsync(caller, id, deliveryId));
        }
        // The open community's owner manages its subscription, and nobody else's.
        Assert.Equal(HttpStatusCode.OK, (await callers[2].GetAsync($"/api/v1/webhooks/{inOpen.Long("id")}", Ct)).StatusCode);
        Assert.Equal(await AnswersAsync(callers[0], missing, deliveryId), await AnswersAsync(callers[0], inOpen.Long("id"), deliveryId));
        Assert.Equal(3, await App.Db(db => db.WebhookSubscriptions.CountAsync(Ct)));
    }

    /// <summary>Status, code, title and detail (with the id written as {id}) of every route that takes a subscription id.</summary>
    private async Task<List<string[]>> AnswersAsync(HttpClient caller, long id, long deliveryId)
    {
        var answers = new List<string[]>();
        foreach (var request in new Func<Task<HttpResponseMessage>>[]
        {
            () => caller.GetAsync($"/api/v1/webhooks/{id}", Ct),
            () => caller.GetAsync($"/api/v1/webhooks/{id}/deliveries", Ct),
            () => caller.Post($"/api/v1/webhooks/{id}/deliveries/{deliveryId}/retry", new { }),
            () => caller.DeleteAsync($"/api/v1/webhooks/{id}", Ct),
        })
        {
            var response = await request();
            var body = await response.Json();
            answers.Add([((int)response.StatusCode).ToString(), body.Str("code"), body.Str("title"), body.Str("detail").Replace(id.ToString(), "{id}"),
                string.Join(",", body.EnumerateObject().Select(p => p.Name).Where(n => n != "trace_id").Order())]);
        }
        return answers;
    }

    [Fact]
    public async Task ServicesNeedTheWebhooksWriteScope()
    {
        var id = (await (await App.Service().Post("/api/v1/webhooks", new { url = Target })).Data(HttpStatusCode.Created)).Long("id");
        foreach (var key in new[] { TestKeys.ReadOnly, TestKeys.NoScopes })
        {
            var service = App.Service(key);
            await (await service.Post("/api/v1/webhooks", new { url = Target })).Problem(HttpStatusCode.Forbidden, "forbidden");
            await (await service.GetAsync("/api/v1/webhooks", Ct)).Problem(HttpStatusCode.Forbidden, "forbidden");
            await (await service.GetAsync($"/api/v1/webhooks/{id}", Ct)).Problem(HttpStatusCode.Forbidden, "forbidden");
            await (await service.GetAsync($"/api/v1/webhooks/{id}/deliveries", Ct)).Problem(HttpStatusCode.Forbidden, "forbidden");
            await (await service.DeleteAsync($"/api/v1/webhooks/{id}", Ct)).Problem(HttpStatusCode.Forbidden, "forbidden");
        }
    }
}

public sealed class WebhooksApiTestsOnSqlite(EventsSqliteApp app) : WebhooksApiTests(app), IClassFixture<EventsSqliteApp>;

public sealed class WebhooksApiTestsOnPostgres(EventsPostgresApp app) : WebhooksApiTests(app), IClassFixture<EventsPostgresApp>;
