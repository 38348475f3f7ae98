using System.Reflection;
using Xunit.Abstractions;

namespace LossLandscape.Shell.Tests.Hostile;

/// <summary>
/// A checkpoint (digits MLP, two epochs on 100 samples), its random directions, the PCA of its run
/// and a small surface shard, made once by the shell for the tests that read files against them.
/// </summary>
public sealed class TrainedRun : IDisposable
{
    public TrainedRun()
    {
        var made = ShellProcess.RunIn(Root.FullName, TimeSpan.FromMinutes(3), "-Command",
            "Invoke-LandscapeTraining -Model Mlp -Dataset Digits -Epochs 2 -MaxSamples 100 -Seed 1 -OutputDirectory run | Out-Null; " +
            "$checkpoint = Import-Checkpoint ./run/epoch-002.dat; " +
            "$checkpoint | New-LandscapeDirection -Seed 7 -OutFile ./directions.h5 | Out-Null; " +
            "Import-Checkpoint ./run/epoch-*.dat | Get-TrajectoryPCA | Export-TrajectoryPCA ./pca.h5 | Out-Null; " +
            "$checkpoint | Get-LossSurface -Steps 3 -Dataset (Get-LandscapeDataset -Name Digits -MaxSamples 20) -OutFile ./surface.h5 | Out-Null");
        Made = made;
    }

    public DirectoryInfo Root { get; } = Directory.CreateTempSubdirectory("losslandscape-hostile-data-");

    internal ShellResult Made { get; }

    public string Combine(params string[] parts) => Path.Combine([Root.FullName, .. parts]);

    public void Dispose() => Root.Delete(recursive: true);
}

/// <summary>
/// Hostile HDF5 files and data folders, read in a child shell one after another and followed by a
/// valid file: each must fail with its own error id and category within seconds, the process must
/// stay alive and small, and the valid file after them must still be read.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HostileDataTests(TrainedRun run, ITestOutputHelper output) : IClassFixture<TrainedRun>
{
    /// <summary>
    /// The child shell's peak resident memory: about 250 MB for the shell with libtorch loaded; every
    /// hostile file here declares gigabytes or more, so one that was believed would pass this bound.
    /// </summary>
    public const long PeakResidentBytesBound = 700L << 20;

    private const string InvalidDataCategory = "InvalidData";

    private static readonly TimeSpan PerFileLimit = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [LinuxFact]
    public void HostileSurfaceFilesAreRefusedAndTheValidFileAfterThemIsRead()
    {
        var (hostile, valid) = HostileFiles.Surfaces(run.Combine("surfaces"));

        var report = ChildProcessReads.Run("Import-LossSurface -LiteralPath $file", [.. hostile.Select(f => f.Path), valid], Patience);

        AssertRefusedThenRead(report, hostile, valid);
    }

    [LinuxFact]
    public void HostileDirectionFilesAreRefusedAndTheValidFileAfterThemIsRead()
    {
        Assert.True(run.Made.ExitCode == 0, run.Made.StdErr);
        var hostile = HostileFiles.Directions(run.Combine("directions"));

        var report = ChildProcessReads.Run("Import-LandscapeDirection -Checkpoint (Import-Checkpoint ./run/epoch-002.dat) -LiteralPath $file",
            [.. hostile.Select(f => f.Path), run.Combine("directions.h5")], Patience, run.Root.FullName);

        AssertRefusedThenRead(report, hostile, run.Combine("directions.h5"));
    }

    [LinuxFact]
    public void HostilePcaFilesAreRefusedAndTheValidFileAfterThemIsRead()
    {
        Assert.True(run.Made.ExitCode == 0, run.Made.StdErr);
        var hostile = HostileFiles.Pca(run.Combine("pca"), run.Combine("pca.h5"));

        var report = ChildProcessReads.Run("Import-TrajectoryPCA -Reference (Import-Checkpoint ./run/epoch-002.dat) -LiteralPath $file",
            [.. hostile.Select(f => f.Path), run.Combine("pca.h5")], Patience, run.Root.FullName);

        AssertRefusedThenRead(report, hostile, run.Combine("pca.h5"));
    }

    [LinuxFact]
    public void HostileDataFoldersAreRefusedAndTheValidFoldersAfterThemAreRead()
    {
        var (hostile, valid) = HostileFiles.DataFolders(run.Combine("data"));

        var report = ChildProcessReads.Run("Get-LandscapeDataset -Split Test -Format ([IO.Path]::GetExtension($file).TrimStart('.')) -LiteralPath $file",
            [.. hostile.Select(f => f.Path), .. valid], Patience);

        AssertRefusedThenRead(report, hostile, [.. valid]);
        Assert.Empty(Directory.GetFiles(Path.GetTempPath(), "PWNED*"));
    }

    [LinuxFact]
    public void ATorchScriptFileThatAbortsLibtorchIsRefusedAndTheValidOneAfterItIsImported()
    {
        var fixtures = Path.Combine(typeof(HostileDataTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "LossLandscapeRepoRoot").Value!, "tests", "LossLandscape.Core.Tests", "Fixtures", "TorchScript");
        var hostile = new HostileFile(Path.Combine(fixtures, "hostile_os_system.pt"), "CheckpointCorrupt", InvalidDataCategory);
        var valid = Path.Combine(fixtures, "gated_cnn.pt");

        var report = ChildProcessReads.Run("Import-Checkpoint -Path $file", [hostile.Path, valid], Patience, run.Root.FullName);

        AssertRefusedThenRead(report, [hostile], valid);
        Assert.Empty(Directory.GetFiles(run.Root.FullName, "PWNED*"));
    }

    [LinuxFact]
    public void NamesWithBracketsAreReadThroughLiteralPathByEveryReader()
    {
        Assert.True(run.Made.ExitCode == 0, run.Made.StdErr);
        var folder = Directory.CreateDirectory(run.Combine("literal [1]")).FullName;
        string[] files = [Path.Combine(folder, "surface[1].h5"), Path.Combine(folder, "directions[1].h5"), Path.Combine(folder, "pca[1].h5"), Path.Combine(folder, "mnist[1]"), Path.Combine(folder, "merged[1].h5")];
        File.Copy(run.Combine("surface.h5"), files[0]);
        File.Copy(run.Combine("directions.h5"), files[1]);
        File.Copy(run.Combine("pca.h5"), files[2]);
        HostileFiles.WriteValidMnistTestSplit(files[3]);

        var read = ShellProcess.RunIn(run.Root.FullName, Patience, ["-CommandWithArgs", """
            $checkpoint = Import-Checkpoint ./run/epoch-002.dat
            $surface = Import-LossSurface -LiteralPath $args[0]
            $byPSPath = [pscustomobject]@{ PSPath = $args[0] } | Import-LossSurface
            $byFullName = [IO.FileInfo]::new($args[0]) | Import-LossSurface
            $directions = @(Import-LandscapeDirection -LiteralPath $args[1] -Checkpoint $checkpoint)
            $pca = Import-TrajectoryPCA -LiteralPath $args[2] -Reference $checkpoint
            $data = Get-LandscapeDataset -LiteralPath $args[3] -Format Mnist -Split Test
            $merged = Merge-LossSurface -LiteralPath $args[0] -OutFile $args[4] -PassThru
            Import-LossSurface -Path $args[0] -ErrorAction SilentlyContinue -ErrorVariable wildcard | Out-Null
            [Console]::Out.WriteLine(('{0}|{1}|{2}|{3}|{4}|{5}|{6}|{7}' -f $surface.PointCount, $byPSPath.PointCount, $byFullName.PointCount, $directions.Count, @($pca.Direction).Count, $data.Count, $merged.ComputedCount, $wildcard[0].FullyQualifiedErrorId))
            """, .. files]);

        // 1: the last command's (expected) error; everything read is checked through the line the script printed.
        Assert.True(read.ExitCode == 1, read.StdOut + read.StdErr);
        // -Path takes [1] as a character set, so the same name matches no file there.
        Assert.Equal("9|9|9|2|2|3|9|SurfaceFileInvalid,LossLandscape.PowerShell.Commands.ImportLossSurfaceCommand", read.StdOut.Trim());
        Assert.True(File.Exists(files[4]));
    }

    private void AssertRefusedThenRead(ReadReport report, IReadOnlyList<HostileFile> hostile, params string[] valid)
    {
        foreach (var file in report.Files) output.WriteLine($"{Path.GetFileName(file.File)}: {file.ErrorId ?? "read"} {file.Category} {file.Seconds:F2} s");
        output.WriteLine($"exit {report.ExitCode}, peak RSS {report.PeakResidentBytes >> 20} MiB");
        // The shell ends with 1 when the script's commands reported errors, as these did; a crash ends with 134 (abort) or a signal.
        Assert.True(report.ExitCode is 0 or 1, $"exit code {report.ExitCode}: {report.StdErr}");
        Assert.Equal(hostile.Count + valid.Length, report.Files.Count);
        foreach (var file in hostile)
        {
            var outcome = report[file.Path];
            Assert.True((file.ErrorId, file.Category) == (outcome.ErrorId, outcome.Category), $"{Path.GetFileName(file.Path)}: expected {file.ErrorId} ({file.Category}), got {outcome.ErrorId} ({outcome.Category})");
            Assert.True(outcome.Seconds < PerFileLimit.TotalSeconds, $"{Path.GetFileName(file.Path)} took {outcome.Seconds:F1} s");
        }
        foreach (var file in valid) Assert.Null(report[file].ErrorId);
        Assert.InRange(report.PeakResidentBytes, 1, PeakResidentBytesBound);
    }
}
