namespace Community.Api.Hosting;

public static class Clock
{
    /// <summary>
    /// Now, in UTC, cut to whole microseconds: PostgreSQL keeps no finer, so a value returned by a write
    /// equals the value a later read returns (and so do the ETags computed from them).
    /// </summary>
    public static DateTime UtcNow(this TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - now.Ticks % 10, DateTimeKind.Utc);
    }
}
