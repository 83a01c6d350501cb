using System.Security.Cryptography;
using Community.Api.Data;
using Community.Api.Security;
using Community.Api.Tests.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Tests.Cli;

/// <summary><c>rotate-encryption</c> run as the operator runs it, against a SQLite file the service created.</summary>
public sealed class RotateEncryptionCommandTests : CliTest
{
    private static readonly byte[] OldKey = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] NewKey = RandomNumberGenerator.GetBytes(32);

    private Dictionary<string, string> Rotating() =>
        Production(("ENCRYPTION_KEY", Convert.ToBase64String(NewKey)), ("ENCRYPTION_PREVIOUS_KEYS", Convert.ToBase64String(OldKey)));

    private async Task<T> Db<T>(Func<CommunityDb, Task<T>> work)
    {
        var options = (DbContextOptions<SqliteCommunityDb>)DatabaseSetup.UseSqlite(new DbContextOptionsBuilder<SqliteCommunityDb>(), $"Data Source={SqliteFile}").Options;
        await using var db = new SqliteCommunityDb(options);
        return await work(db);
    }

    private async Task<List<StoredSecret>> SeedAsync(SecretProtector sealer, int platforms, int webhooks)
    {
        if (!File.Exists(SqliteFile)) AssertSucceeded(await RunAsync(Production(), "migrate"));
        return await Db(db => StoredSecrets.SeedAsync(db, sealer, platforms, webhooks));
    }

    [Fact]
    public async Task ResealsEverythingWithAProgressBarAndASummary()
    {
        var secrets = await SeedAsync(new SecretProtector(OldKey, []), platforms: 3, webhooks: 2);

        var outcome = await RunAsync(Rotating(), "rotate-encryption", "--batch-size", "2");

        AssertSucceeded(outcome);
        Assert.Empty(outcome.Stderr);
        Assert.Matches(@"platform credentials\s*│\s*3\s*│\s*3\s*│\s*0\s*│\s*0\s*│\s*0", outcome.Stdout);
        Assert.Matches(@"webhook secrets\s*│\s*2\s*│\s*2\s*│\s*0\s*│\s*0\s*│\s*0", outcome.Stdout);
        Assert.Contains("All 5 stored secret(s) are sealed with the current ENCRYPTION_KEY.", outcome.Stdout);
        var newOnly = new SecretProtector(NewKey, []);
        foreach (var secret in secrets) Assert.Equal(secret.Plaintext, newOnly.Unprotect((await Db(db => StoredSecrets.CiphertextAsync(db, secret)))!));

        var again = await RunAsync(Rotating(), "rotate-encryption");
        AssertSucceeded(again);
        Assert.Matches(@"platform credentials\s*│\s*3\s*│\s*0\s*│\s*3\s*│", again.Stdout); // all current: nothing rewritten
    }

    [Fact]
    public async Task OnATerminalItDrawsAProgressBar()
    {
        await SeedAsync(new SecretProtector(OldKey, []), platforms: 3, webhooks: 1);

        var outcome = await ServiceProcess.RunInTerminalAsync(Directory, Rotating(), "rotate-encryption", "--batch-size", "1");
        if (outcome is null) Assert.Skip("util-linux script is not installed: no pseudo-terminal to draw on.");

        AssertSucceeded(outcome);
        Assert.Contains("Re-sealing stored secrets", outcome.Stdout);
        Assert.Contains("━", outcome.Stdout); // the bar
        Assert.Contains("100%", outcome.Stdout);
        Assert.Contains("All 4 stored secret(s) are sealed with the current ENCRYPTION_KEY.", outcome.Stdout);
    }

    [Fact]
    public async Task StoppedBySigtermItKeepsWhatItDidAndTheNextRunFinishes()
    {
        var old = new SecretProtector(OldKey, []);
        var secrets = await SeedAsync(old, platforms: 2000, webhooks: 0);
        using var process = ServiceProcess.Launch(Directory, Rotating(), "rotate-encryption", "--batch-size", "1");
        var output = ServiceProcess.FinishAsync(process);
        // Once the first batches are committed, stop it the way a container runtime does.
        while (await Db(db => db.PlatformConnections.CountAsync(p => p.CredentialsCiphertext != null && !p.CredentialsCiphertext.Contains(KeyIdOf(old)), Ct)) == 0)
        {
            Assert.False(output.IsCompleted, (output.IsCompleted ? await output : null)?.ToString());
            await Task.Delay(50, Ct);
        }
        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", $"{process.Id}"])) await kill.WaitForExitAsync(Ct);

        var stopped = await output;

        Assert.True(stopped.ExitCode == 130, stopped.ToString());
        Assert.Contains("interrupted", Assert.Single(stopped.ErrorLines));
        var rotating = new SecretProtector(NewKey, [OldKey]);
        var resealed = 0;
        foreach (var secret in secrets)
        {
            var ciphertext = (await Db(db => StoredSecrets.CiphertextAsync(db, secret)))!;
            Assert.Equal(secret.Plaintext, rotating.Unprotect(ciphertext));
            if (!rotating.NeedsRotation(ciphertext)) resealed++;
        }
        Assert.InRange(resealed, 1, secrets.Count - 1);

        var again = await RunAsync(Rotating(), "rotate-encryption");
        AssertSucceeded(again);
        Assert.Matches($@"platform credentials\s*│\s*{secrets.Count}\s*│\s*{secrets.Count - resealed}\s*│\s*{resealed}\s*│", again.Stdout);
    }

    /// <summary>The key id a protector seals with, as it appears in its sealed values (v1.&lt;id&gt;.…).</summary>
    private static string KeyIdOf(SecretProtector protector) => $".{protector.Protect("x").Split('.')[1]}.";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ValuesNoKeyOpensAreReportedWithExitCode1AndKept()
    {
        await SeedAsync(new SecretProtector(OldKey, []), platforms: 1, webhooks: 0);
        var lost = await SeedAsync(new SecretProtector(RandomNumberGenerator.GetBytes(32), []), platforms: 1, webhooks: 1);
        var kept = await Task.WhenAll(lost.Select(s => Db(db => StoredSecrets.CiphertextAsync(db, s))));

        var outcome = await RunAsync(Rotating(), "rotate-encryption");

        var line = AssertOneSentenceFailure(outcome, "rotate-encryption");
        Assert.Contains("2 value(s) open with no configured key and were left untouched", line);
        Assert.Contains($"platform credentials: id {lost[0].Id}", line);
        Assert.Contains($"webhook secrets: id {lost[1].Id}", line);
        Assert.Contains("ENCRYPTION_PREVIOUS_KEYS", line);
        Assert.Equal(kept, await Task.WhenAll(lost.Select(s => Db(db => StoredSecrets.CiphertextAsync(db, s)))));
    }

    [Fact]
    public async Task WithoutThePreviousKeyNothingIsTouched()
    {
        var secrets = await SeedAsync(new SecretProtector(OldKey, []), platforms: 2, webhooks: 1);
        var before = await Task.WhenAll(secrets.Select(s => Db(db => StoredSecrets.CiphertextAsync(db, s))));

        var outcome = await RunAsync(Production(("ENCRYPTION_KEY", Convert.ToBase64String(NewKey))), "rotate-encryption");

        Assert.Contains("3 value(s) open with no configured key", AssertOneSentenceFailure(outcome, "rotate-encryption"));
        Assert.Equal(before, await Task.WhenAll(secrets.Select(s => Db(db => StoredSecrets.CiphertextAsync(db, s)))));
    }

    [Fact]
    public async Task AnUnreachableDatabaseIsOneSentence()
    {
        var outcome = await RunAsync(Production(("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/none")), "rotate-encryption");
        Assert.Contains("The database (PostgreSQL at 127.0.0.1:1/none) cannot be read", AssertOneSentenceFailure(outcome, "rotate-encryption"));
    }
}
