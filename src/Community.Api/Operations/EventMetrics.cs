using Community.Api.Events;

namespace Community.Api.Operations;

/// <summary>Counts what commits: every outbox event by type, and memberships made (created or reactivated).</summary>
public sealed class EventMetrics : ICommittedEventHandler
{
    public void OnCommitted(IReadOnlyList<OutboxEvent> events)
    {
        foreach (var e in events)
        {
            ServiceMetrics.EventsWritten.WithLabels(e.Type).Inc();
            if (e.Type == EventTypes.MemberJoined) ServiceMetrics.Joins.Inc();
        }
    }
}
