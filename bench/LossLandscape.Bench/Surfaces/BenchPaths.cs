namespace LossLandscape.Bench.Surfaces;

/// <summary>Where the bench finds the repository and keeps its files (bench/work, ignored by git).</summary>
internal static class BenchPaths
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string WorkRoot => Path.Combine(RepositoryRoot, "bench", "work");

    public static string ReferenceScript => Path.Combine(RepositoryRoot, "bench", "reference", "surface_reference.py");

    public static string CaseFolder(BenchCase benchCase)
    {
        var folder = Path.Combine(WorkRoot, "runs", benchCase.Key);
        Directory.CreateDirectory(folder);
        return folder;
    }

    // From the build output (bench/LossLandscape.Bench/bin/...) rather than the current directory, so
    // the bench finds its files wherever `dotnet run` is started.
    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "LossLandscape.sln"))) return folder.FullName;
        }
        throw new InvalidOperationException($"No LossLandscape.sln above {AppContext.BaseDirectory}: run the bench from its build output in the repository.");
    }
}
