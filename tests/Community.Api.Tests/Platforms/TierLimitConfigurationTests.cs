using System.Net;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Platforms;

/// <summary>Tiers:Free:MaxPlatforms and Tiers:Premium:MaxPlatforms change the limits.</summary>
public abstract class TierLimitConfigurationTests(TestApp app) : ApiTest(app)
{
    internal static readonly Dictionary<string, string?> Limits = new() { ["Tiers:Free:MaxPlatforms"] = "1", ["Tiers:Premium:MaxPlatforms"] = "2" };

    [Theory]
    [InlineData("free", 1)]
    [InlineData("premium", 2)]
    public async Task ConfiguredLimitsApply(string tier, int limit)
    {
        var id = (await App.Community(extra: new { tier })).Long("id");
        for (var i = 0; i < limit; i++) await App.Connect(id);
        var refused = await App.Service().Post($"/api/v1/communities/{id}/platforms", new { platform = "discord", platform_community_id = Unique() });
        Assert.Equal(limit, (await refused.Problem(HttpStatusCode.Forbidden, "tier_limit_exceeded")).Int("limit"));
    }
}

public sealed class TierLimitedSqliteApp : SqliteApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => TierLimitConfigurationTests.Limits;
}

public sealed class TierLimitedPostgresApp : PostgresApp
{
    protected internal override IReadOnlyDictionary<string, string?> Settings => TierLimitConfigurationTests.Limits;
}

public sealed class TierLimitConfigurationTestsOnSqlite(TierLimitedSqliteApp app) : TierLimitConfigurationTests(app), IClassFixture<TierLimitedSqliteApp>;

public sealed class TierLimitConfigurationTestsOnPostgres(TierLimitedPostgresApp app) : TierLimitConfigurationTests(app), IClassFixture<TierLimitedPostgresApp>;
