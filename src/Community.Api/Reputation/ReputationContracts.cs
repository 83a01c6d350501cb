using Community.Api.Members;

namespace Community.Api.Reputation;

/// <summary>Change reputation by <see cref="Delta"/> or set it to <see cref="Value"/>; the result is clamped to 300–850.</summary>
public sealed record ReputationRequest(int? Delta = null, int? Value = null, string? Reason = null);

public sealed record ReputationChangeResponse(long Id, int OldValue, int NewValue, int Delta, string Reason, string Actor, DateTime CreatedAt);

public sealed record ReputationResult(MemberResponse Member, ReputationChangeResponse Change);
