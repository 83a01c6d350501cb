namespace Community.Api.Tests.Infrastructure;

/// <summary>The repository the tests run from.</summary>
public static class Repository
{
    /// <summary>The folder that holds CommunityModule.sln, found above the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Where screenshots, plans and other things worth keeping go: the repository's TestResults (CI keeps it).</summary>
    public static string ResultsDirectory => Directory.CreateDirectory(Path.Combine(Root, "TestResults")).FullName;

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "CommunityModule.sln"))) return directory.FullName;
        throw new DirectoryNotFoundException("The repository root (CommunityModule.sln) is not above the test binaries.");
    }
}
