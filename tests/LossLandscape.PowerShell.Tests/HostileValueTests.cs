using System.Diagnostics;
using System.Management.Automation;

namespace LossLandscape.PowerShell.Tests;

/// <summary>A DigitsCnn checkpoint trained once for the hostile-value tests.</summary>
public sealed class HostileValueFixture : IDisposable
{
    public HostileValueFixture()
    {
        Shell.Invoke("Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 100 -Seed 3 -OutputDirectory $dir | Out-Null",
            new Dictionary<string, object?> { ["dir"] = Run.Path }).ShouldSucceed();
    }

    public ModuleRunspace Shell { get; } = new();

    public TempDirectory Run { get; } = new();

    public string Checkpoint => Run.Combine("epoch-001.dat");

    public void Dispose()
    {
        Run.Dispose();
        Shell.Dispose();
    }
}

/// <summary>
/// Values are checked for what they are (non-finite surface values, directions and training losses),
/// and a full or read-only file system is OutputWriteFailed with the earlier file kept.
/// </summary>
public sealed class HostileValueTests(HostileValueFixture fixture) : IClassFixture<HostileValueFixture>, IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private Dictionary<string, object?> Variables(params (string Name, object? Value)[] extra)
    {
        var variables = new Dictionary<string, object?> { ["ckpt"] = fixture.Checkpoint };
        foreach (var (name, value) in extra) variables[name] = value;
        return variables;
    }

    [Fact]
    public void NonFiniteLossesAreKeptCountedInAWarningAndSkippedByMinLoss()
    {
        var file = temp.Combine("far.h5");
        // α = ±1e30 overflows the weights: the loss there is NaN; α = 0 is the checkpoint itself.
        var result = fixture.Shell.Invoke("Import-Checkpoint $ckpt | Get-LossSurface -Dimensions 1 -Steps 3 -XRange -1e30,1e30 -OutFile $file", Variables(("file", file))).ShouldSucceed();

        var surface = Assert.Single(result.Output);
        Assert.Equal(2, surface.Properties["NonFiniteLossCount"].Value);
        Assert.Equal(0.0, surface.Properties["MinAlpha"].Value);
        Assert.True(double.IsFinite((double)surface.Properties["MinLoss"].Value));
        Assert.Contains("2 of 3 computed points have a NaN or infinite loss", Assert.Single(result.Warnings));
        var reread = Assert.Single(fixture.Shell.Invoke("Import-LossSurface $file", Variables(("file", file))).ShouldSucceed().Output);
        Assert.Equal(3, reread.Properties["ComputedCount"].Value);
        Assert.Equal(2, reread.Properties["NonFiniteLossCount"].Value);
    }

    [Fact]
    public void AValueInACellMarkedNotComputedIsSurfaceFileInvalid()
    {
        var file = temp.Combine("forged.h5");
        fixture.Shell.Invoke("Import-Checkpoint $ckpt | Get-LossSurface -Dimensions 1 -Steps 3 -OutFile $file | Out-Null", Variables(("file", file))).ShouldSucceed();
        // Mark cell 1 not computed but leave its loss in place.
        fixture.Shell.Invoke($"""
            $surfaceFile = {ModuleRunspace.ModuleType("LossLandscape.Core", "LossLandscape.Core.Surfaces.SurfaceFile")}
            $content = $surfaceFile::Read($file)
            $content.Computed[1] = $false
            $surfaceFile::Write($file, $content)
            """, Variables(("file", file))).ShouldSucceed();
        var forged = File.ReadAllBytes(file);

        var result = fixture.Shell.Invoke("Import-LossSurface $file; Import-Checkpoint $ckpt | Get-LossSurface -Dimensions 1 -Steps 3 -OutFile $file", Variables(("file", file)));

        Assert.Null(result.Terminating);
        Assert.Equal(2, result.Errors.Count);
        Assert.All(result.Errors, error =>
        {
            Assert.StartsWith("SurfaceFileInvalid,", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
            Assert.Contains("at cell 1, which 'computed' marks as not computed", error.Exception.Message);
        });
        Assert.Empty(result.Output);
        Assert.Equal(forged, File.ReadAllBytes(file));
    }

    [Fact]
    public void ADirectionFileWithANaNIsDirectionNonFiniteAndNothingIsEmitted()
    {
        var file = temp.Combine("directions.h5");
        var surface = temp.Combine("surface.h5");
        // The directions are imported while whole; the surface rereads the file after the NaN is written.
        fixture.Shell.Invoke($"""
            $c = Import-Checkpoint $ckpt
            $c | New-LandscapeDirection -Seed 1 -OutFile $file | Out-Null
            $imported = Import-LandscapeDirection -Path $file -Checkpoint $c
            $directionFile = {ModuleRunspace.ModuleType("LossLandscape.Core", "LossLandscape.Core.Directions.DirectionFile")}
            $content = $directionFile::Read($file, 1000000)
            $content.X[0].Data[0] = [float]::NaN
            $directionFile::Write($file, $content)
            """, Variables(("file", file))).ShouldSucceed();

        var result = fixture.Shell.Invoke("Import-LandscapeDirection -Path $file -Checkpoint $c; $c | Get-LossSurface -Direction $imported -Steps 3 -OutFile $surface",
            Variables(("file", file), ("surface", surface)));

        Assert.Null(result.Terminating);
        Assert.Equal(2, result.Errors.Count);
        Assert.All(result.Errors, error =>
        {
            Assert.StartsWith("DirectionNonFinite,", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
            Assert.Contains("1 NaN or infinite value(s)", error.Exception.Message);
        });
        Assert.Equal(file, result.Errors[0].TargetObject);
        Assert.Equal(fixture.Checkpoint, PSObject.AsPSObject(result.Errors[1].TargetObject).Properties["Path"].Value);
        Assert.Empty(result.Output);
        Assert.False(File.Exists(surface));
    }

    [Fact]
    public void APcaOfIdenticalCheckpointsIsTrajectoryInvalidAndWritesNoFile()
    {
        var file = temp.Combine("pca.h5");
        var result = fixture.Shell.Invoke("$c = Import-Checkpoint $ckpt; $c, $c, $c | Get-TrajectoryPca -OutFile $file", Variables(("file", file)));

        Assert.Null(result.Terminating);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("TrajectoryInvalid,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("no principal component carries variance", error.Exception.Message);
        Assert.Empty(result.Output);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public void DivergedTrainingIsTrainingDivergedNamingEpochAndBatchAndLeavesOnlyCompleteCheckpoints()
    {
        var directory = temp.Combine("diverged");
        // Steps of 1e30 × the gradient overflow the weights, or the loss, within the first batches.
        var result = fixture.Shell.Invoke("Invoke-LandscapeTraining -Model DigitsCnn -Epochs 2 -MaxSamples 100 -Seed 3 -LearningRate 1e30 -OutputDirectory $dir; Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -LearningRate 1e300 -OutputDirectory $dir", Variables(("dir", directory)));

        Assert.Null(result.Terminating);
        Assert.Equal(2, result.Errors.Count);
        var error = result.Errors[0];
        Assert.StartsWith("TrainingDiverged,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidResult, error.CategoryInfo.Category);
        Assert.Equal(directory, error.TargetObject);
        Assert.Matches("^Training diverged in epoch 1, batch [1-9]: ", error.Exception.Message);
        // A rate libtorch cannot hold in float32 is refused before any native call.
        Assert.StartsWith("TrainingArgumentInvalid,", result.Errors[1].FullyQualifiedErrorId);
        Assert.Contains("must fit a float32", result.Errors[1].Exception.Message);
        // Epoch 0 (written before training) is whole; nothing of epoch 1 is left without its JSON.
        Assert.Equal(["epoch-000.dat", "epoch-000.json"], Directory.GetFiles(directory).Select(f => Path.GetFileName(f)!).Order().ToArray());
    }

    [Fact]
    public void AFullDiskDuringASurfaceIsOutputWriteFailedAndTheEarlierFileIsKept()
    {
        using var mount = TmpfsMount.Create(temp.Combine("small"));
        var earlier = Path.Combine(mount.Path, "surface.h5");
        fixture.Shell.Invoke("Import-Checkpoint $ckpt | Get-LossSurface -Dimensions 1 -Steps 3 -OutFile $file | Out-Null", Variables(("file", earlier))).ShouldSucceed();
        var before = File.ReadAllBytes(earlier);
        mount.Fill();

        var fresh = Path.Combine(mount.Path, "fresh.h5");
        var result = fixture.Shell.Invoke("$c = Import-Checkpoint $ckpt; $c | Get-LossSurface -Dimensions 1 -Steps 5 -Force -OutFile $earlier; $c | Get-LossSurface -Dimensions 1 -Steps 5 -OutFile $fresh",
            Variables(("earlier", earlier), ("fresh", fresh)));

        AssertWriteFailures(result, earlier, fresh, "No space left on device");
        Assert.Equal(before, File.ReadAllBytes(earlier));

        // The other writers say the same: directions and checkpoints.
        var directions = Path.Combine(mount.Path, "directions.h5");
        var run = Path.Combine(mount.Path, "run");
        var others = fixture.Shell.Invoke("Import-Checkpoint $ckpt | New-LandscapeDirection -OutFile $directions; Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 100 -OutputDirectory $run",
            Variables(("directions", directions), ("run", run)));
        Assert.Null(others.Terminating);
        Assert.Equal(["OutputWriteFailed", "OutputWriteFailed"], others.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
        Assert.Equal<object>([directions, run], others.Errors.Select(e => e.TargetObject));
        Assert.Equal(["filler", "surface.h5"], Directory.GetFiles(mount.Path).Select(f => Path.GetFileName(f)!).Order().ToArray());
        Assert.Empty(Directory.GetFiles(run));
    }

    [Fact]
    public void AReadOnlyFileSystemDuringASurfaceIsOutputWriteFailedAndTheEarlierFileIsKept()
    {
        using var mount = TmpfsMount.Create(temp.Combine("small"));
        var earlier = Path.Combine(mount.Path, "surface.h5");
        fixture.Shell.Invoke("Import-Checkpoint $ckpt | Get-LossSurface -Dimensions 1 -Steps 3 -OutFile $file | Out-Null", Variables(("file", earlier))).ShouldSucceed();
        var before = File.ReadAllBytes(earlier);
        mount.RemountReadOnly();

        var fresh = Path.Combine(mount.Path, "fresh.h5");
        var result = fixture.Shell.Invoke("$c = Import-Checkpoint $ckpt; $c | Get-LossSurface -Dimensions 1 -Steps 5 -Force -OutFile $earlier; $c | Get-LossSurface -Dimensions 1 -Steps 5 -OutFile $fresh",
            Variables(("earlier", earlier), ("fresh", fresh)));

        AssertWriteFailures(result, earlier, fresh, "Read-only file system");
        Assert.Equal(before, File.ReadAllBytes(earlier));
        Assert.Equal(["surface.h5"], Directory.GetFiles(mount.Path).Select(f => Path.GetFileName(f)!).ToArray());
    }

    private static void AssertWriteFailures(ModuleRunspace.Result result, string earlier, string fresh, string reason)
    {
        Assert.Null(result.Terminating);
        Assert.Equal(2, result.Errors.Count);
        Assert.Equal<object>([earlier, fresh], result.Errors.Select(e => e.TargetObject));
        Assert.All(result.Errors, error =>
        {
            Assert.StartsWith("OutputWriteFailed,", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.WriteError, error.CategoryInfo.Category);
            Assert.Contains(reason, error.Exception.Message);
        });
        Assert.Empty(result.Output);
    }

    /// <summary>A 1 MiB tmpfs mounted for one test (root only: CI runs as root), unmounted when disposed.</summary>
    private sealed class TmpfsMount : IDisposable
    {
        private TmpfsMount(string path) => Path = path;

        public string Path { get; }

        public static TmpfsMount Create(string path)
        {
            Assert.True(Environment.UserName == "root", "This test mounts a 1 MiB tmpfs to fill it or make it read-only: it needs root (CI runs as root).");
            Directory.CreateDirectory(path);
            Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", path);
            return new TmpfsMount(path);
        }

        /// <summary>Writes a filler file until the file system has no block left.</summary>
        public void Fill()
        {
            // Unbuffered, so the write that fails leaves nothing behind to be flushed again on dispose.
            using var filler = new FileStream(System.IO.Path.Combine(Path, "filler"), FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
            var block = new byte[4096];
            try
            {
                while (true) filler.Write(block);
            }
            catch (IOException e) when (e.Message.Contains("No space left on device", StringComparison.Ordinal))
            {
                Assert.InRange(filler.Length, 1, 1 << 20);
            }
        }

        public void RemountReadOnly() => Run("mount", "-o", "remount,ro", Path);

        public void Dispose() => Run("umount", Path);

        private static void Run(string command, params string[] arguments)
        {
            using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true })!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', arguments)}: {error}");
        }
    }
}
