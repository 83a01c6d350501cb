using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Community.Api.Invites;
using Community.Api.Tests.Auth;
using Community.Api.Tests.Infrastructure;
using Community.Api.Tests.Operations;

namespace Community.Api.Tests.Invites;

/// <summary>
/// Every invite_not_found answer is counted in <c>waddlebot_invite_lookup_failures_total</c> by operation, and nothing
/// else is; the codes tried never become labels. In the <see cref="MetricsRegistry"/> collection, since the counter is
/// process-wide and other tests (the fuzz suite) would move it meanwhile.
/// </summary>
public abstract partial class InviteMetricsTests(TestApp app) : ApiTest(app)
{
    [Fact]
    public async Task FailedLookupsAreCountedByOperationWithoutTheCodes()
    {
        var community = await App.CommunityOwnedBy(await App.HubUser());
        var code = await App.InviteCode(community);
        var revoked = await App.InviteCode(community);
        await App.Service().DeleteAsync($"/api/v1/communities/{community}/invites/{revoked}", Ct).Data();
        var user = await App.HubUser();
        var guesses = Enumerable.Range(0, 3).Select(_ => InviteCodes.New()).ToList();
        var before = await Metrics();

        foreach (var guess in guesses) await App.PreviewInvite(user, guess).Problem(HttpStatusCode.NotFound, "invite_not_found");
        await App.PreviewInvite(user, "not-a-code").Problem(HttpStatusCode.NotFound, "invite_not_found");
        await App.AcceptInvite(user, revoked).Problem(HttpStatusCode.NotFound, "invite_not_found");
        await App.PreviewInvite(user, code).Data();
        await App.AcceptInvite(user, code).Data(HttpStatusCode.Created);
        await App.AcceptInvite(user, code).Data();

        var after = await Metrics();
        Assert.Equal(4, Failures(after, "preview") - Failures(before, "preview"));
        Assert.Equal(1, Failures(after, "accept") - Failures(before, "accept"));
        Assert.All(guesses.Append(code).Append(revoked), c => Assert.DoesNotContain(c, after));
        Assert.Equal(2, FailureSeries().Matches(after).Count);
    }

    private async Task<string> Metrics() => await App.Anonymous().GetStringAsync("/metrics", Ct);

    private static double Failures(string metrics, string operation) =>
        FailureSeries().Matches(metrics).Where(m => m.Groups["operation"].Value == operation)
            .Select(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)).SingleOrDefault();

    [GeneratedRegex("""^waddlebot_invite_lookup_failures_total\{operation="(?<operation>[^"]*)"\} (?<value>\S+)$""", RegexOptions.Multiline)]
    private static partial Regex FailureSeries();
}

[Collection(nameof(MetricsRegistry))]
public sealed class InviteMetricsTestsOnSqlite(SqliteApp app) : InviteMetricsTests(app), IClassFixture<SqliteApp>;

[Collection(nameof(MetricsRegistry))]
public sealed class InviteMetricsTestsOnPostgres(PostgresApp app) : InviteMetricsTests(app), IClassFixture<PostgresApp>;
