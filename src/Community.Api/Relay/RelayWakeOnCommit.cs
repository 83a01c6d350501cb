using Community.Api.Events;

namespace Community.Api.Relay;

/// <summary>Wakes this instance's relay after every commit that wrote events, so they reach the stream without waiting for the next poll.</summary>
public sealed class RelayWakeOnCommit(StreamRelay relay) : ICommittedEventHandler
{
    public void OnCommitted(IReadOnlyList<OutboxEvent> events) => relay.Wake();
}
