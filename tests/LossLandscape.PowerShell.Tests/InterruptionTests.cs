using System.Diagnostics;
using System.Management.Automation;
using System.Text.RegularExpressions;

namespace LossLandscape.PowerShell.Tests;

/// <summary>
/// Ctrl+C (PowerShell.Stop, which calls StopProcessing) during the long cmdlets, and ForEach-Object
/// -Parallel over checkpoints in one session.
/// </summary>
[Collection(ProcessWideSettings.Name)]
public sealed partial class InterruptionTests : IClassFixture<ModuleRunspace>, IDisposable
{
    /// <summary>Generous: a stop must not wait for the rest of the work, but a loaded machine may be slow.</summary>
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(60);

    private readonly ModuleRunspace shell;
    private readonly TempDirectory run = new();
    private readonly Dictionary<string, object?> variables;

    public InterruptionTests(ModuleRunspace shell)
    {
        this.shell = shell;
        shell.Invoke("Invoke-LandscapeTraining -Model DigitsCnn -Epochs 3 -MaxSamples 300 -Seed 5 -OutputDirectory $dir", new Dictionary<string, object?> { ["dir"] = run.Path }).ShouldSucceed();
        variables = new Dictionary<string, object?> { ["ckpt"] = Path.Combine(run.Path, "epoch-003.dat"), ["dir"] = run.Path, ["manifest"] = ModuleRunspace.ManifestPath };
    }

    public void Dispose() => run.Dispose();

    /// <summary>Runs <paramref name="script"/> and asks it to stop, as Ctrl+C does, at its first progress record of <paramref name="activity"/>.</summary>
    /// <returns>That record's status, and how long the stop took.</returns>
    private (string Status, TimeSpan StopTook, PSInvocationState State, int OutputCount) StopAtFirstProgress(string script, string activity)
    {
        foreach (var (name, value) in variables) shell.Runspace.SessionStateProxy.SetVariable(name, value);
        using var pipeline = System.Management.Automation.PowerShell.Create();
        pipeline.Runspace = shell.Runspace;
        pipeline.AddScript(script);
        string? status = null;
        var asked = Stopwatch.StartNew();
        var stopping = new ManualResetEventSlim();
        pipeline.Streams.Progress.DataAdded += (_, e) =>
        {
            var record = pipeline.Streams.Progress[e.Index];
            if (status is not null || record.Activity != activity || record.RecordType != ProgressRecordType.Processing) return;
            status = record.StatusDescription;
            asked.Restart();
            // Called on the pipeline's own thread: stop from another, as the console's Ctrl+C handler does.
            pipeline.BeginStop(_ => stopping.Set(), null);
        };
        var output = new PSDataCollection<PSObject>();
        var pending = pipeline.BeginInvoke<PSObject, PSObject>(null, output);
        Assert.True(pending.AsyncWaitHandle.WaitOne(TimeSpan.FromMinutes(5)), "the pipeline neither finished nor stopped");
        Assert.True(status is not null, $"no progress of '{activity}' before the end; seen: {string.Join(", ", pipeline.Streams.Progress.Select(p => p.Activity).Distinct())}; errors: {string.Join(", ", pipeline.Streams.Error)}");
        Assert.True(stopping.Wait(StopBound), "the stop did not complete");
        var took = asked.Elapsed;
        return (status!, took, pipeline.InvocationStateInfo.State, output.Count);
    }

    /// <summary>
    /// No surface worker is left. A worker that returned from its last point is joined, but the kernel
    /// may list its task for a moment after that: only one still listed after a second has leaked.
    /// </summary>
    private static void AssertNoSurfaceWorkerThreads()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(1);
        while (SurfaceWorkerThreads().Any() && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Assert.Empty(SurfaceWorkerThreads());
    }

    private static IEnumerable<string> SurfaceWorkerThreads() =>
        Directory.GetDirectories("/proc/self/task").Select(ThreadName)
            .Where(name => name?.StartsWith("LossLandscape s", StringComparison.Ordinal) == true).Select(name => name!).ToList();

    /// <returns>Null when the thread ended between listing and reading (other test classes' threads come and go).</returns>
    private static string? ThreadName(string taskFolder)
    {
        try
        {
            return File.ReadAllText(Path.Combine(taskFolder, "comm")).Trim();
        }
        catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException)
        {
            return null;
        }
    }

    private void ModuleStillWorks()
    {
        var small = shell.Invoke("(Import-Checkpoint $ckpt | Get-LossSurface -Dimensions 1 -Steps 3 -ThrottleLimit 1).ComputedCount", variables).ShouldSucceed();
        Assert.Equal(3, (int)Assert.Single(small.Output).BaseObject);
    }

    [Fact]
    public void StoppingASurfaceKeepsItsFinishedPointsAndTheRerunResumesToTheSameValues()
    {
        const int workers = 2;
        variables["h5"] = Path.Combine(run.Path, "stopped.h5");
        variables["fresh"] = Path.Combine(run.Path, "fresh.h5");
        var surface = $"Import-Checkpoint $ckpt | Get-LossSurface -Steps 15 -ThrottleLimit {workers} -OutFile ";

        var (status, took, state, outputs) = StopAtFirstProgress(surface + "$h5", "Loss surface");

        Assert.Equal(PSInvocationState.Stopped, state);
        Assert.Equal(0, outputs);
        Assert.True(took < StopBound, $"stop took {took}");
        var doneAtStop = int.Parse(PointCount().Match(status).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        AssertNoSurfaceWorkerThreads();

        var resumed = shell.Invoke(surface + "$h5 -Verbose", variables).ShouldSucceed();
        var left = int.Parse(PointsToCompute().Match(string.Join("\n", resumed.Verbose)).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var keptOnDisk = 15 * 15 - left;
        Assert.True(keptOnDisk >= doneAtStop, $"{doneAtStop} points were done when Stop was asked, {keptOnDisk} are on disk");
        // The points in flight when Stop arrived may still finish (each worker's, and one it may have
        // taken in the instant the stop took to reach it); no worker starts more after that.
        Assert.True(keptOnDisk <= doneAtStop + 2 * workers, $"{keptOnDisk - doneAtStop} points finished after the stop with {workers} workers");

        var fresh = shell.Invoke(surface + "$fresh", variables).ShouldSucceed();
        Assert.Equal((double[,])fresh.Output[0].Properties["TrainLoss"].Value, (double[,])resumed.Output[0].Properties["TrainLoss"].Value);
        AssertNoSurfaceWorkerThreads();
        ModuleStillWorks();
    }

    [Fact]
    public void StoppingTrainingLeavesTheFinishedEpochsAndTheModuleUsable()
    {
        variables["train"] = Path.Combine(run.Path, "train");
        var (_, took, state, _) = StopAtFirstProgress("Invoke-LandscapeTraining -Model DigitsCnn -Epochs 30 -MaxSamples 1000 -Seed 9 -OutputDirectory $train", "Training DigitsCnn");

        Assert.Equal(PSInvocationState.Stopped, state);
        Assert.True(took < StopBound, $"stop took {took}");
        Assert.True(File.Exists(Path.Combine(run.Path, "train", "epoch-000.dat")));
        Assert.False(File.Exists(Path.Combine(run.Path, "train", "epoch-030.json")));
        ModuleStillWorks();
    }

    [Fact]
    public void StoppingTheHessianSpectrumReturnsPromptlyWithNothingWritten()
    {
        variables["eigen"] = Path.Combine(run.Path, "stopped-eigen.h5");
        var (_, took, state, outputs) = StopAtFirstProgress("Import-Checkpoint $ckpt | Get-HessianSpectrum -Trace -Probes 10000 -OutFile $eigen", "Hessian of epoch-003");

        Assert.Equal(PSInvocationState.Stopped, state);
        Assert.Equal(0, outputs);
        Assert.True(took < StopBound, $"stop took {took}");
        Assert.False(File.Exists((string)variables["eigen"]!));
        var again = shell.Invoke("(Import-Checkpoint $ckpt | Get-HessianSpectrum -MaxSamples 30 -OutFile $eigen).MinEigenvalue", variables).ShouldSucceed();
        Assert.True(double.IsFinite((double)Assert.Single(again.Output).BaseObject));
    }

    [Fact]
    public void StoppingTrajectoryPcaReturnsPromptlyWithNothingWritten()
    {
        variables["pca"] = Path.Combine(run.Path, "stopped-pca.h5");
        // Many rows (the same four checkpoints again and again) so the stop lands while they are read.
        var (status, took, state, outputs) = StopAtFirstProgress("$c = Import-Checkpoint $dir/epoch-*.dat; 1..500 | ForEach-Object { $c } | Get-TrajectoryPCA -OutFile $pca", "Trajectory PCA");

        Assert.StartsWith("Checkpoint 1/2000", status, StringComparison.Ordinal);
        Assert.Equal(PSInvocationState.Stopped, state);
        Assert.Equal(0, outputs);
        Assert.True(took < StopBound, $"stop took {took}");
        Assert.False(File.Exists((string)variables["pca"]!));
        var again = shell.Invoke("(Import-Checkpoint $dir/epoch-*.dat | Get-TrajectoryPCA -OutFile $pca).Points.Count", variables).ShouldSucceed();
        Assert.Equal(4, (int)Assert.Single(again.Output).BaseObject);
    }

    [Fact]
    public void ForEachObjectParallelOverCheckpointsGivesTheSerialResultsBitForBit()
    {
        const string surface = "$c = Import-Checkpoint $_; '{0}={1}' -f $c.Name, (($c | Get-LossSurface -Steps 4 -ThrottleLimit 2 -Seed 11).TrainLoss | ForEach-Object { [BitConverter]::DoubleToInt64Bits($_) }) -join ','";
        var serial = shell.Invoke($"'{run.Path}/epoch-001.dat', '{run.Path}/epoch-002.dat', '{run.Path}/epoch-003.dat' | ForEach-Object {{ {surface} }}", variables).ShouldSucceed();
        var parallel = shell.Invoke($"'{run.Path}/epoch-001.dat', '{run.Path}/epoch-002.dat', '{run.Path}/epoch-003.dat' | ForEach-Object -Parallel {{ Import-Module $using:manifest; {surface} }} -ThrottleLimit 3", variables).ShouldSucceed();

        var expected = serial.Output.Select(o => o.ToString()).ToArray();
        Assert.Equal(3, expected.Length);
        Assert.Equal(3, expected.Distinct().Count());
        Assert.Equal(expected.Order(StringComparer.Ordinal), parallel.Output.Select(o => o.ToString()).Order(StringComparer.Ordinal));
    }

    [GeneratedRegex(@"^Point (\d+)/")]
    private static partial Regex PointCount();

    [GeneratedRegex(@"(\d+) point\(s\) to compute")]
    private static partial Regex PointsToCompute();
}
