using Community.Api.Events;
namespace Community.Api.Webhooks;

/// <summary>Wakes this instance's webhook dispatcher after every commit that wrote events, so they go out at once.</summary>
public sealed class WakeOnCommit(WebhookDispatcher dispatcher) : ICommittedEventHandler
{
    public void OnCommitted(IReadOnlyList<OutboxEvent> events) => dispatcher.Wake();
}
