using System.Security.Cryptography;
using Community.Api.Cli;
using Community.Api.Data;
using Community.Api.Security;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Tests.Cli;

/// <summary>
/// What <c>rotate-encryption</c> does to the stored secrets, on each database: every value ends under the current key and
/// still opens to what it was; a run stopped midway loses nothing; a value no key opens, or one changed meanwhile, is left alone.
/// </summary>
public abstract class SecretResealerTests(TestApp app) : ApiTest(app)
{
    // The app seals with TestKeys.EncryptionKey: that is the "previous" key the rotation moves away from.
    private static readonly byte[] OldKey = Convert.FromBase64String(TestKeys.EncryptionKey);
    private readonly byte[] _newKey = RandomNumberGenerator.GetBytes(32);

    private SecretProtector Old => new(OldKey, []);
    private SecretProtector Rotating => new(_newKey, [OldKey]);
    private SecretProtector NewOnly => new(_newKey, []);

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        // Each test looks at every stored secret, so each starts from none.
        await App.Db(async db => (await db.WebhookSubscriptions.ExecuteDeleteAsync(), await db.PlatformConnections.ExecuteDeleteAsync()));
    }

    private Task<(IReadOnlyList<ResealTally> Tallies, bool Completed)> RotateAsync(int batchSize = 2, Action<int>? progress = null, CancellationToken ct = default) =>
        App.Db(db => new SecretResealer(db, Rotating).RunAsync(batchSize, progress, ct));

    private async Task AssertEveryOneOpensWith(SecretProtector protector, IEnumerable<StoredSecret> secrets)
    {
        foreach (var secret in secrets)
        {
            var ciphertext = await App.Db(db => StoredSecrets.CiphertextAsync(db, secret));
            Assert.NotNull(ciphertext);
            Assert.Equal(secret.Plaintext, protector.Unprotect(ciphertext));
        }
    }

    private static ResealTally Tally(IReadOnlyList<ResealTally> tallies, SealedColumn column) => tallies.Single(t => t.Name == column.Name);

    [Fact]
    public async Task EverySecretEndsUnderTheCurrentKeyAndStillOpens()
    {
        var secrets = await App.Db(db => StoredSecrets.SeedAsync(db, Old, platforms: 5, webhooks: 4));

        var (tallies, completed) = await RotateAsync(ct: Ct);

        Assert.True(completed);
        Assert.Equal((5, 5, 0), (Tally(tallies, SealedColumn.PlatformCredentials).Seen, Tally(tallies, SealedColumn.PlatformCredentials).Resealed, Tally(tallies, SealedColumn.PlatformCredentials).Changed));
        Assert.Equal((4, 4, 0), (Tally(tallies, SealedColumn.WebhookSecrets).Seen, Tally(tallies, SealedColumn.WebhookSecrets).Resealed, Tally(tallies, SealedColumn.WebhookSecrets).Changed));
        await AssertEveryOneOpensWith(NewOnly, secrets); // the old key is no longer needed for any of them
        Assert.Equal(0, await App.Db(StoredSecrets.BareConnectionsWithCredentialsAsync));
    }

    [Fact]
    public async Task AnInterruptedRunLosesNothingAndTheNextRunFinishes()
    {
        var secrets = await App.Db(db => StoredSecrets.SeedAsync(db, Old, platforms: 5, webhooks: 3));
        using var stop = new CancellationTokenSource();

        var (first, completed) = await RotateAsync(batchSize: 2, progress: _ => stop.Cancel(), ct: stop.Token); // stopped after one batch

        Assert.False(completed);
        Assert.Equal(2, first.Sum(t => t.Resealed));
        var ciphertexts = await Task.WhenAll(secrets.Select(s => App.Db(db => StoredSecrets.CiphertextAsync(db, s))));
        Assert.Equal(2, ciphertexts.Count(c => !Rotating.NeedsRotation(c!)));
        await AssertEveryOneOpensWith(Rotating, secrets); // the rest still opens with the previous key

        var (second, finished) = await RotateAsync(batchSize: 2, ct: Ct);

        Assert.True(finished);
        Assert.Equal((2, 3), (Tally(second, SealedColumn.PlatformCredentials).Current, Tally(second, SealedColumn.PlatformCredentials).Resealed));
        Assert.Equal(3, Tally(second, SealedColumn.WebhookSecrets).Resealed);
        await AssertEveryOneOpensWith(NewOnly, secrets);
    }

    [Fact]
    public async Task AValueNoKeyOpensIsReportedAndLeftAsItIs()
    {
        var readable = await App.Db(db => StoredSecrets.SeedAsync(db, Old, platforms: 2, webhooks: 1));
        var stranger = await App.Db(db => StoredSecrets.SeedAsync(db, new SecretProtector(RandomNumberGenerator.GetBytes(32), []), platforms: 1, webhooks: 1));
        var damaged = (await App.Db(db => StoredSecrets.SeedAsync(db, Old, platforms: 1, webhooks: 0))).Single();
        const string garbage = "v1.00000000.AAAA";
        await App.Db(db => db.PlatformConnections.Where(p => p.Id == damaged.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.CredentialsCiphertext, garbage)));
        var strangerCiphertexts = await Task.WhenAll(stranger.Select(s => App.Db(db => StoredSecrets.CiphertextAsync(db, s))));

        var (tallies, completed) = await RotateAsync(ct: Ct);

        Assert.True(completed);
        Assert.Equal([stranger[0].Id, damaged.Id], Tally(tallies, SealedColumn.PlatformCredentials).Unreadable.Order());
        Assert.Equal([stranger[1].Id], Tally(tallies, SealedColumn.WebhookSecrets).Unreadable);
        Assert.Equal(strangerCiphertexts, await Task.WhenAll(stranger.Select(s => App.Db(db => StoredSecrets.CiphertextAsync(db, s)))));
        Assert.Equal(garbage, await App.Db(db => StoredSecrets.CiphertextAsync(db, damaged)));
        await AssertEveryOneOpensWith(NewOnly, readable);
    }

    [Fact]
    public async Task AValueChangedOrDeletedMeanwhileIsNotOverwritten()
    {
        var secrets = await App.Db(db => StoredSecrets.SeedAsync(db, Old, platforms: 0, webhooks: 3));
        var tally = new ResealTally(SealedColumn.WebhookSecrets.Name);

        await App.Db(async db =>
        {
            var resealer = new SecretResealer(db, Rotating);
            var batch = await resealer.ReadBatchAsync(SealedColumn.WebhookSecrets, 0, 10, tally);
            // Between the read and the write, the running service writes a new secret for one and deletes another.
            await App.Db(other => other.WebhookSubscriptions.Where(w => w.Id == secrets[0].Id)
                .ExecuteUpdateAsync(s => s.SetProperty(w => w.SecretCiphertext, Rotating.Protect("whsec_written_meanwhile"))));
            await App.Db(other => other.WebhookSubscriptions.Where(w => w.Id == secrets[1].Id).ExecuteDeleteAsync());
            await resealer.WriteBatchAsync(batch, tally);
            return 0;
        });

        Assert.Equal((1, 2), (tally.Resealed, tally.Changed));
        Assert.Equal("whsec_written_meanwhile", NewOnly.Unprotect((await App.Db(db => StoredSecrets.CiphertextAsync(db, secrets[0])))!));
        Assert.Null(await App.Db(db => StoredSecrets.CiphertextAsync(db, secrets[1])));
        await AssertEveryOneOpensWith(NewOnly, [secrets[2]]);
    }

    [Fact]
    public async Task ARunOverCurrentValuesWritesNothing()
    {
        var secrets = await App.Db(db => StoredSecrets.SeedAsync(db, Old, platforms: 3, webhooks: 2));
        await RotateAsync(ct: Ct);
        var before = await Task.WhenAll(secrets.Select(s => App.Db(db => StoredSecrets.CiphertextAsync(db, s))));

        var (tallies, completed) = await RotateAsync(ct: Ct);

        Assert.True(completed);
        Assert.Equal((0, 5), (tallies.Sum(t => t.Resealed), tallies.Sum(t => t.Current)));
        Assert.Equal(before, await Task.WhenAll(secrets.Select(s => App.Db(db => StoredSecrets.CiphertextAsync(db, s)))));
    }
}

public sealed class SecretResealerTestsOnSqlite(SqliteApp app) : SecretResealerTests(app), IClassFixture<SqliteApp>;

public sealed class SecretResealerTestsOnPostgres(PostgresApp app) : SecretResealerTests(app), IClassFixture<PostgresApp>;
