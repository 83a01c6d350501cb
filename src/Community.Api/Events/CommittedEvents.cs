using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Community.Api.Events;

/// <summary>Something that must follow every committed write: it sees the outbox events the commit made durable.</summary>
public interface ICommittedEventHandler
{
    /// <summary>Called once per commit, after it, with that commit's events in the order they were recorded. Must not throw or block.</summary>
    void OnCommitted(IReadOnlyList<OutboxEvent> events);
}

/// <summary>
/// The one place side effects of a write start: when a unit of work commits, the outbox events it recorded (through
/// <see cref="Journal"/>) go to every <see cref="ICommittedEventHandler"/> — cache invalidation, metrics, the webhook
/// dispatcher. Events of a transaction that rolls back never reach them. Handlers never see events inserted by raw SQL,
/// so every event is recorded through the journal. A write that records no event but still makes something stale (an
/// identity sighting) hangs its side effect on the same commit with <see cref="AfterCommit"/>.
/// </summary>
public sealed class CommittedEvents(IEnumerable<ICommittedEventHandler> handlers, ILogger<CommittedEvents> logger) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ICommittedEventHandler[] _handlers = handlers.ToArray();

    // Pooled contexts are reused, so the state is reset at every transaction start and every save outside one.
    private readonly ConditionalWeakTable<DbContext, State> _states = new();

    private sealed class State
    {
        public List<OutboxEvent> Saving { get; } = [];
        public List<OutboxEvent> Uncommitted { get; } = [];
        public List<Action> Deferred { get; } = [];

        public void Clear()
        {
            Uncommitted.Clear();
            Deferred.Clear();
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> once what <paramref name="context"/> has written so far is committed: at once when no
    /// transaction is open (the write committed on its own), when the open transaction commits otherwise, never when it
    /// rolls back. Like a handler, it must not throw or block.
    /// </summary>
    public void AfterCommit(DbContext context, Action action)
    {
        if (context.Database.CurrentTransaction is null) Run(action);
        else _states.GetOrCreateValue(context).Deferred.Add(action);
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
        StateOf(eventData.Context)?.Clear();
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(TransactionStarted(connection, eventData, result));

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (StateOf(eventData.Context) is not { } state) return;
        Publish(state.Uncommitted);
        foreach (var action in state.Deferred) Run(action);
        state.Clear();
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => StateOf(eventData.Context)?.Clear();

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
        state.Saving.AddRange(context.ChangeTracker.Entries<OutboxEvent>().Where(e => e.State == EntityState.Added).Select(e => e.Entity));
    }

    /// <summary>Outside an explicit transaction the save has committed already; inside one it waits for the commit.</summary>
    private void Saved(DbContext? context)
    {
        if (context is null || StateOf(context) is not { } state) return;
        if (context.Database.CurrentTransaction is null)
        {
            state.Uncommitted.Clear();
            Publish(state.Saving);
        }
        else state.Uncommitted.AddRange(state.Saving);
        state.Saving.Clear();
    }

    private State? StateOf(DbContext? context) => context is not null && _states.TryGetValue(context, out var state) ? state : null;

    private void Publish(List<OutboxEvent> events)
    {
        if (events.Count == 0) return;
        var committed = events.ToArray();
        foreach (var handler in _handlers) Run(() => handler.OnCommitted(committed), handler.GetType().Name);
    }

    private void Run(Action action, string what = "A side effect")
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            // The write has committed and its caller must hear so; a side effect's failure is its own to report.
            logger.LogError(e, "{What} failed after a commit", what);
        }
    }
}
