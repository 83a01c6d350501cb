using Community.Api.Data;
using Community.Api.Security;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Cli;

/// <summary>One stored secret as read: its row and its sealed value.</summary>
internal sealed record SealedValue(long Id, string Ciphertext);

/// <summary>A column of sealed secrets: how to count it, page through it by id, and replace one value only if it is unchanged.</summary>
internal sealed record SealedColumn(
    string Name,
    Func<CommunityDb, Task<int>> CountAsync,
    Func<CommunityDb, long, int, Task<List<SealedValue>>> PageAsync,
    Func<CommunityDb, SealedValue, string, Task<int>> ReplaceAsync)
{
    public static readonly SealedColumn PlatformCredentials = new("platform credentials",
        db => db.PlatformConnections.CountAsync(p => p.CredentialsCiphertext != null),
        (db, after, size) => db.PlatformConnections.AsNoTracking().Where(p => p.Id > after && p.CredentialsCiphertext != null).OrderBy(p => p.Id).Take(size)
            .Select(p => new SealedValue(p.Id, p.CredentialsCiphertext!)).ToListAsync(),
        (db, value, resealed) => db.PlatformConnections.Where(p => p.Id == value.Id && p.CredentialsCiphertext == value.Ciphertext)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.CredentialsCiphertext, resealed)));

    public static readonly SealedColumn WebhookSecrets = new("webhook secrets",
        db => db.WebhookSubscriptions.CountAsync(),
        (db, after, size) => db.WebhookSubscriptions.AsNoTracking().Where(w => w.Id > after).OrderBy(w => w.Id).Take(size)
            .Select(w => new SealedValue(w.Id, w.SecretCiphertext)).ToListAsync(),
        (db, value, resealed) => db.WebhookSubscriptions.Where(w => w.Id == value.Id && w.SecretCiphertext == value.Ciphertext)
            .ExecuteUpdateAsync(s => s.SetProperty(w => w.SecretCiphertext, resealed)));

    public static readonly SealedColumn[] All = [PlatformCredentials, WebhookSecrets];
}

/// <summary>What happened to one column's values.</summary>
internal sealed class ResealTally(string name)
{
    public string Name { get; } = name;
    /// <summary>Values read.</summary>
    public int Seen { get; set; }
    /// <summary>Sealed again under the current key.</summary>
    public int Resealed { get; set; }
    /// <summary>Already under the current key (a rerun finds the work of the interrupted run here).</summary>
    public int Current { get; set; }
    /// <summary>Changed or deleted by someone else between reading and writing; left as they are now.</summary>
    public int Changed { get; set; }
    /// <summary>Rows whose value no configured key opens; left untouched.</summary>
    public List<long> Unreadable { get; } = [];
}

/// <summary>A batch read and re-sealed in memory, not written yet.</summary>
internal sealed record ResealBatch(SealedColumn Column, IReadOnlyList<(SealedValue Value, string Resealed)> Replacements, long LastId, int Count);

/// <summary>
/// Re-seals stored secrets under the current ENCRYPTION_KEY, a small batch at a time. Each batch is one transaction whose
/// updates apply only where the value is still the one read, so a service writing meanwhile is never overwritten and a
/// run stopped at any point loses nothing: what it did is committed, what it did not is still readable with the
/// previous keys, and the next run skips what is already current.
/// </summary>
internal sealed class SecretResealer(CommunityDb db, SecretProtector protector)
{
    public async Task<int> CountAsync()
    {
        var total = 0;
        foreach (var column in SealedColumn.All) total += await column.CountAsync(db);
        return total;
    }

    /// <summary>Every column, batch by batch; stops between batches once <paramref name="ct"/> is cancelled.</summary>
    /// <returns>The tallies, and whether every value was visited.</returns>
    public async Task<(IReadOnlyList<ResealTally> Tallies, bool Completed)> RunAsync(int batchSize, Action<int>? progress, CancellationToken ct)
    {
        var tallies = new List<ResealTally>();
        foreach (var column in SealedColumn.All)
        {
            var tally = new ResealTally(column.Name);
            tallies.Add(tally);
            long after = 0;
            while (true)
            {
                if (ct.IsCancellationRequested) return (tallies, false);
                var batch = await ReadBatchAsync(column, after, batchSize, tally);
                if (batch.Count == 0) break;
                await WriteBatchAsync(batch, tally);
                after = batch.LastId;
                progress?.Invoke(batch.Count);
            }
        }
        return (tallies, true);
    }

    /// <summary>Reads the next batch after <paramref name="after"/> and seals each value that needs it again.</summary>
    public async Task<ResealBatch> ReadBatchAsync(SealedColumn column, long after, int size, ResealTally tally)
    {
        var page = await column.PageAsync(db, after, size);
        var replacements = new List<(SealedValue, string)>();
        foreach (var value in page)
        {
            tally.Seen++;
            string plaintext;
            try
            {
                plaintext = protector.Unprotect(value.Ciphertext);
            }
            catch (Exception) // a wrong key, a damaged or truncated value: whatever the cause, no key opens it
            {
                tally.Unreadable.Add(value.Id);
                continue;
            }
            if (protector.NeedsRotation(value.Ciphertext)) replacements.Add((value, protector.Protect(plaintext)));
            else tally.Current++;
        }
        return new ResealBatch(column, replacements, page.Count > 0 ? page[^1].Id : after, page.Count);
    }

    /// <summary>Writes a batch in one transaction, each value only if it is still the one that was read.</summary>
    public async Task WriteBatchAsync(ResealBatch batch, ResealTally tally)
    {
        if (batch.Replacements.Count == 0) return;
        await using var transaction = await db.Database.BeginTransactionAsync();
        var resealed = 0;
        foreach (var (value, sealedAgain) in batch.Replacements) resealed += await batch.Column.ReplaceAsync(db, value, sealedAgain);
        await transaction.CommitAsync();
        tally.Resealed += resealed;
        tally.Changed += batch.Replacements.Count - resealed;
    }
}
