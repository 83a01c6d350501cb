using Community.Api.Audit;
using Community.Api.Auth;
using Community.Api.Data;
using Community.Api.Hosting;
using Community.Api.Http;

namespace Community.Api.Events;

/// <summary>
/// Adds the outbox event and the audit entry of a write to the same unit of work as the write itself,
/// so they commit together or not at all.
/// </summary>
public sealed class Journal(CommunityDb db, TimeProvider clock)
{
    public OutboxEvent Event(string type, long? communityId, object data)
    {
        var e = new OutboxEvent { Type = type, CommunityId = communityId, OccurredAt = clock.UtcNow(), DataJson = ApiJson.Serialize(data) };
        db.Events.Add(e);
        return e;
    }

    public void Audit(Caller caller, long? communityId, string action, string targetType, string? targetId, object? before, object? after) =>
        db.AuditLog.Add(new AuditEntry
        {
            CommunityId = communityId,
            ActorType = caller.ActorType,
            ActorId = caller.ActorId,
            Action = action,
            TargetType = targetType,
            TargetId = targetId,
            BeforeJson = before is null ? null : ApiJson.Serialize(before),
            AfterJson = after is null ? null : ApiJson.Serialize(after),
            OccurredAt = clock.UtcNow(),
        });

    /// <summary>Both at once: the usual case of a write that downstream modules and auditors both see.</summary>
    public void Record(Caller caller, string type, long? communityId, string targetType, string? targetId, object? before, object? after, object eventData)
    {
        Event(type, communityId, eventData);
        Audit(caller, communityId, type, targetType, targetId, before, after);
    }
}
