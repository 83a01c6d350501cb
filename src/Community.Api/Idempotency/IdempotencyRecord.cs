namespace Community.Api.Idempotency;

/// <summary>A POST's first response, kept so that a retry with the same Idempotency-Key replays it.</summary>
public class IdempotencyRecord
{
    /// <summary>The caller (service key name or user) the key belongs to: keys of different callers never collide.</summary>
    public required string Caller { get; set; }
    public required string IdempotencyKey { get; set; }
    public required string RequestHash { get; set; }
    public int? StatusCode { get; set; }
    public string? ContentType { get; set; }
    public string? Location { get; set; }
    public string? ETag { get; set; }
    public byte[]? Body { get; set; }
    public DateTime CreatedAt { get; set; }
}
