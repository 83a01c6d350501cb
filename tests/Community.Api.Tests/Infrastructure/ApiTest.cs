namespace Community.Api.Tests.Infrastructure;

/// <summary>
/// Base of every API test class: tests are written once against <see cref="TestApp"/> and run on both providers
/// through two small subclasses. A provider that cannot run here skips each test with its reason.
/// </summary>
public abstract class ApiTest(TestApp app) : IAsyncLifetime
{
    protected TestApp App { get; } = app;

    protected CancellationToken Ct => TestContext.Current.CancellationToken;

    public virtual ValueTask InitializeAsync()
    {
        if (App.SkipReason is not null) Assert.Skip(App.SkipReason);
        return ValueTask.CompletedTask;
    }

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>A name no other test in the class uses.</summary>
    protected static string Unique(string prefix = "c") => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 17, 100)];
}
