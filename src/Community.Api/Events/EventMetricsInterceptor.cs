using System.Data.Common;
using System.Runtime.CompilerServices;
using Community.Api.Operations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Community.Api.Events;

/// <summary>
/// Counts outbox events when they commit, not when they are added: an event saved inside a transaction that
/// rolls back was never written. Events inserted by raw SQL are not seen here.
/// </summary>
public sealed class EventMetricsInterceptor : SaveChangesInterceptor, IDbTransactionInterceptor
{
    // Pooled contexts are reused, so the state is reset at every transaction start and every save outside one.
    private readonly ConditionalWeakTable<DbContext, State> _states = new();

    private sealed class State
    {
        public List<string> Saving { get; } = [];
        public List<string> Uncommitted { get; } = [];
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => StateOf(eventData.Context)?.Saving.Clear();

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        SaveChangesFailed(eventData);
        return Task.CompletedTask;
    }

    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        StateOf(eventData.Context)?.Uncommitted.Clear();
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(TransactionStarted(connection, eventData, result));

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (StateOf(eventData.Context) is not { } state) return;
        Count(state.Uncommitted);
        state.Uncommitted.Clear();
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => StateOf(eventData.Context)?.Uncommitted.Clear();

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionRolledBack(transaction, eventData);
        return Task.CompletedTask;
    }

    private void Collect(DbContext? context)
    {
        if (context is null) return;
        var state = _states.GetOrCreateValue(context);
        state.Saving.Clear();
        state.Saving.AddRange(context.ChangeTracker.Entries<OutboxEvent>().Where(e => e.State == EntityState.Added).Select(e => e.Entity.Type));
    }

    /// <summary>Outside an explicit transaction the save has committed already; inside one it waits for the commit.</summary>
    private void Saved(DbContext? context)
    {
        if (context is null || StateOf(context) is not { } state) return;
        if (context.Database.CurrentTransaction is null)
        {
            state.Uncommitted.Clear();
            Count(state.Saving);
        }
        else state.Uncommitted.AddRange(state.Saving);
        state.Saving.Clear();
    }

    private State? StateOf(DbContext? context) => context is not null && _states.TryGetValue(context, out var state) ? state : null;

    private static void Count(List<string> types)
    {
        foreach (var type in types) ServiceMetrics.EventsWritten.WithLabels(type).Inc();
    }
}
