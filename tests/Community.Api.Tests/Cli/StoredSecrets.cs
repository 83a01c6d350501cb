using Community.Api.Webhooks;
using Community.Api.Cli;
using Community.Api.Data;
using Community.Api.Events;
using Community.Api.Identities;
using Community.Api.Platforms;
using Community.Api.Security;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Tests.Cli;

/// <summary>One stored secret a test put there: where it is and what it says.</summary>
public sealed record StoredSecret(string Column, long Id, string Plaintext);

/// <summary>Puts sealed platform credentials and webhook secrets into a database, and reads them back.</summary>
public static class StoredSecrets
{
    public static async Task<List<StoredSecret>> SeedAsync(CommunityDb db, SecretProtector sealer, int platforms, int webhooks)
    {
        var tag = Guid.NewGuid().ToString("N")[..12];
        var owner = new HubUser { Username = $"owner-{tag}" };
        db.HubUsers.Add(owner);
        await db.SaveChangesAsync();
        var community = new Api.Communities.Community { Name = $"c-{tag}", NameKey = $"c-{tag}", OwnerId = owner.Id };
        db.Communities.Add(community);
        await db.SaveChangesAsync();

        var connections = Enumerable.Range(0, platforms).Select(i => new PlatformConnection
        {
            CommunityId = community.Id, Platform = "twitch", PlatformCommunityId = $"chan-{tag}-{i}",
            CredentialsCiphertext = sealer.Protect($"{{\"oauth_token\":\"token-{tag}-{i}\"}}"),
        }).ToList();
        // A connection without credentials has nothing to re-seal and must stay so.
        db.PlatformConnections.Add(new PlatformConnection { CommunityId = community.Id, Platform = "kick", PlatformCommunityId = $"bare-{tag}" });
        var subscriptions = Enumerable.Range(0, webhooks).Select(i => new WebhookSubscription
        {
            Url = $"https://hooks.example/{tag}/{i}", EventTypesJson = "[]", CreatedBy = "test", SecretCiphertext = sealer.Protect($"whsec_{tag}_{i}"),
        }).ToList();
        db.PlatformConnections.AddRange(connections);
        db.WebhookSubscriptions.AddRange(subscriptions);
        await db.SaveChangesAsync();

        return
        [
            .. connections.Select((c, i) => new StoredSecret(SealedColumn.PlatformCredentials.Name, c.Id, $"{{\"oauth_token\":\"token-{tag}-{i}\"}}")),
            .. subscriptions.Select((w, i) => new StoredSecret(SealedColumn.WebhookSecrets.Name, w.Id, $"whsec_{tag}_{i}")),
        ];
    }

    /// <summary>The sealed value stored for <paramref name="secret"/> now; null when the row is gone.</summary>
    public static async Task<string?> CiphertextAsync(CommunityDb db, StoredSecret secret) => secret.Column == SealedColumn.PlatformCredentials.Name
        ? await db.PlatformConnections.Where(p => p.Id == secret.Id).Select(p => p.CredentialsCiphertext).SingleOrDefaultAsync()
        : await db.WebhookSubscriptions.Where(w => w.Id == secret.Id).Select(w => w.SecretCiphertext).SingleOrDefaultAsync();

    public static Task<int> BareConnectionsWithCredentialsAsync(CommunityDb db) =>
        db.PlatformConnections.CountAsync(p => p.Platform == "kick" && p.CredentialsCiphertext != null);
}
