using Community.Api.Webhooks;
using System.Net;
using System.Text;
using Community.Api.Events;
using Community.Api.Http;
using Community.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Api.Tests.Http;

/// <summary>
/// Every list that takes a cursor refuses anything it did not issue itself, for this very list, with keys in range:
/// 400 <c>invalid_cursor</c>, never a 500 and never a seek the client chose.
/// </summary>
public abstract class CursorTests(TestApp app) : ApiTest(app)
{
    /// <summary>Every list that takes a cursor: its name (as the service signs it), its URL and its keys.</summary>
    private sealed record CursorList(string Name, string Url, Key[] Seek)
    {
        public long[] Keys => Seek.Select(k => k.Valid).ToArray();
    }

    /// <summary>A seek key: a value the list accepts, and values a query could not take.</summary>
    private sealed record Key(long Valid, long[] OutOfRange);

    private static readonly Key Id = new(1, [0, -1, long.MinValue]);
    private static readonly Key Ticks = new(DateTime.UtcNow.Ticks, [-1, long.MinValue, DateTime.MaxValue.Ticks + 1, long.MaxValue]);
    private static readonly Key Reputation = new(600, [299, 851, -1, int.MaxValue + 1L, long.MaxValue]);

    private async Task<CursorList[]> ListsAsync()
    {
        var community = (await App.Community()).Long("id");
        var member = await App.InsertMember(community);
        var webhook = await App.Db(async db =>
        {
            var subscription = new WebhookSubscription
            {
                Url = "http://127.0.0.1:9/hook", EventTypesJson = "[]", CommunityId = community, SecretCiphertext = "unused",
                CreatedBy = "test", CreatedAt = DateTime.UtcNow,
            };
            db.WebhookSubscriptions.Add(subscription);
            await db.SaveChangesAsync();
            return subscription.Id;
        });
        var c = $"/api/v1/communities/{community}";
        return
        [
            new("communities", "/api/v1/communities", [Id]),
            new($"members-joined/{community}", $"{c}/members", [Ticks, Id]),
            new($"members-reputation/{community}", $"{c}/members?sort=reputation", [Reputation, Id]),
            new($"reputation-history/{community}/{member}", $"{c}/members/{member}/reputation/history", [Id]),
            new($"join-requests/{community}", $"{c}/join-requests", [Id]),
            new($"audit/{community}", $"{c}/audit-log", [Id]),
            new("webhooks", "/api/v1/webhooks", [Id]),
            new($"deliveries/{webhook}", $"/api/v1/webhooks/{webhook}/deliveries", [Id]),
        ];
    }

    private Cursors Cursors => App.Services.GetRequiredService<Cursors>();

    private async Task<HttpResponseMessage> Get(CursorList list, string cursor) =>
        await App.Service().GetAsync($"{list.Url}{(list.Url.Contains('?') ? '&' : '?')}cursor={Uri.EscapeDataString(cursor)}", Ct);

    private async Task AssertRefused(CursorList list, string cursor, string what)
    {
        var response = await Get(list, cursor);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what} cursor on {list.Url}: {(int)response.StatusCode} {body}");
        Assert.Equal(["cursor"], (await response.Problem(HttpStatusCode.BadRequest, "invalid_cursor")).ErrorFields());
    }

    [Fact]
    public async Task EveryListAcceptsTheCursorsItIssues()
    {
        foreach (var list in await ListsAsync())
            await (await Get(list, Cursors.Encode(list.Name, list.Keys))).Data();
    }

    [Fact]
    public async Task AHandWrittenCursorIsRefusedByEveryList()
    {
        foreach (var list in await ListsAsync())
        {
            // The unsigned form the service used to issue, with the numbers that used to be a 500.
            var keys = string.Join('|', list.Keys.Select(_ => "-1"));
            await AssertRefused(list, Base64Url.Encode(Encoding.UTF8.GetBytes($"{list.Name.Split('/')[0]}|{keys}")), "forged");
            await AssertRefused(list, "not-a-cursor", "garbage");
            await AssertRefused(list, "!!!", "non-base64");
            await AssertRefused(list, new string('A', 5000), "huge");
        }
    }

    [Fact]
    public async Task ATruncatedOrTamperedCursorIsRefusedByEveryList()
    {
        foreach (var list in await ListsAsync())
        {
            var valid = Cursors.Encode(list.Name, list.Keys);
            await AssertRefused(list, valid[..^2], "truncated");
            await AssertRefused(list, valid + "AA", "extended");
            var bytes = Base64Url.Decode(valid);
            bytes[3] ^= 0x01; // a seek key, not the signature
            await AssertRefused(list, Base64Url.Encode(bytes), "tampered");
        }
    }

    [Fact]
    public async Task ACursorOfAnotherListIsRefused()
    {
        var lists = await ListsAsync();
        foreach (var list in lists)
        {
            foreach (var other in lists.Where(o => o.Name != list.Name && o.Keys.Length == list.Keys.Length))
                await AssertRefused(list, Cursors.Encode(other.Name, list.Keys), $"{other.Name}'s");
            // The same kind of list under another parent (another community, another webhook).
            if (list.Name.Contains('/'))
                await AssertRefused(list, Cursors.Encode(list.Name.Split('/')[0] + "/999999", list.Keys), "another parent's");
        }
    }

    [Fact]
    public async Task ACursorSignedWithAnotherKeyIsRefused()
    {
        var otherDeployment = new Cursors(new byte[32]);
        foreach (var list in await ListsAsync())
            await AssertRefused(list, otherDeployment.Encode(list.Name, list.Keys), "another key's");
    }

    [Fact]
    public async Task ASignedCursorWithKeysOutOfRangeIsRefused()
    {
        // Even a cursor that passes the signature check (a bug, or a leaked key) cannot carry a value the query cannot take.
        foreach (var list in await ListsAsync())
            for (var i = 0; i < list.Seek.Length; i++)
                foreach (var bad in list.Seek[i].OutOfRange)
                {
                    var keys = list.Keys;
                    keys[i] = bad;
                    await AssertRefused(list, Cursors.Encode(list.Name, keys), $"key {i} = {bad}");
                }
    }
}

public sealed class CursorTestsOnSqlite(SqliteApp app) : CursorTests(app), IClassFixture<SqliteApp>;

public sealed class CursorTestsOnPostgres(PostgresApp app) : CursorTests(app), IClassFixture<PostgresApp>;
