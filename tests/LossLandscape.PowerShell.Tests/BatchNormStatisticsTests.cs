using System.Management.Automation;

namespace LossLandscape.PowerShell.Tests;

/// <summary>-BatchNormStatistics, one name across the commands, on a small DigitsCnn (three BatchNorm layers) and an Mlp (none).</summary>
public sealed class BatchNormStatisticsTests : IClassFixture<ModuleRunspace>, IDisposable
{
    private readonly ModuleRunspace shell;
    private readonly TempDirectory run = new();
    private readonly Dictionary<string, object?> variables;

    public BatchNormStatisticsTests(ModuleRunspace shell)
    {
        this.shell = shell;
        shell.Invoke("Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 48 -Seed 2 -OutputDirectory $dir/cnn", new Dictionary<string, object?> { ["dir"] = run.Path }).ShouldSucceed();
        shell.Invoke("Invoke-LandscapeTraining -Model Mlp -Epochs 1 -MaxSamples 48 -Seed 2 -OutputDirectory $dir/mlp", new Dictionary<string, object?> { ["dir"] = run.Path }).ShouldSucceed();
        variables = new Dictionary<string, object?> { ["cnn"] = Path.Combine(run.Path, "cnn", "epoch-001.dat"), ["mlp"] = Path.Combine(run.Path, "mlp", "epoch-001.dat"), ["file"] = Path.Combine(run.Path, "reset.h5") };
    }

    public void Dispose() => run.Dispose();

    [Fact]
    public void ResetRecomputesAtEveryPointAndTheFileRecordsIt()
    {
        var result = shell.Invoke("""
            $c = Import-Checkpoint $cnn
            $c | Get-LossSurface -Dimensions 1 -Steps 3 -Range -1, 1 -MaxSamples 40 -BatchSize 16
            $c | Get-LossSurface -Dimensions 1 -Steps 3 -Range -1, 1 -MaxSamples 40 -BatchSize 16 -BatchNormStatistics Reset -BatchNormResetBatches 2 -OutFile $file
            $c | Get-LossSurface -Dimensions 1 -Steps 3 -Range -1, 1 -MaxSamples 40 -BatchSize 16 -BatchNormStatistics Batch
            Import-LossSurface $file
            """, variables).ShouldSucceed();

        var (running, reset, batch, imported) = (result.Output[0], result.Output[1], result.Output[2], result.Output[3]);
        var runningLoss = (double[])running.Properties["TrainLoss"].Value;
        var resetLoss = (double[])reset.Properties["TrainLoss"].Value;
        var batchLoss = (double[])batch.Properties["TrainLoss"].Value;
        for (var i = 0; i < 3; i++)
        {
            Assert.NotEqual(runningLoss[i], resetLoss[i]);
            Assert.NotEqual(runningLoss[i], batchLoss[i]);
        }
        Assert.Equal(resetLoss, (double[])imported.Properties["TrainLoss"].Value);
        Assert.Equal("Reset (2 batches)", imported.Properties["BatchNormStatistics"].Value);
        Assert.Equal("Running", running.Properties["BatchNormStatistics"].Value);

        // The same file asked for with θ*'s statistics is another surface: refused, the file kept.
        var mismatch = shell.Invoke("Import-Checkpoint $cnn | Get-LossSurface -Dimensions 1 -Steps 3 -Range -1, 1 -MaxSamples 40 -BatchSize 16 -OutFile $file", variables);
        var error = Assert.Single(mismatch.Errors);
        Assert.Contains("batchNormStatistics", error.Exception.Message);
    }

    [Theory]
    [InlineData("Get-LossSurface -Dimensions 1 -Steps 3 -MaxSamples 40 -BatchNormStatistics Reset", "mlp", "SurfaceArgumentInvalid", "no BatchNorm layer")]
    [InlineData("Get-LossSurface -Dimensions 1 -Steps 3 -MaxSamples 40 -BatchNormStatistics Interpolate", "cnn", "SurfaceArgumentInvalid", "-Target direction")]
    [InlineData("Get-LossSurface -Dimensions 1 -Steps 3 -MaxSamples 40 -BatchNormStatistics Batch -Metric Curvature", "cnn", "SurfaceArgumentInvalid", "loss metric")]
    [InlineData("Get-LossSurface -Dimensions 1 -Steps 3 -MaxSamples 33 -BatchSize 16 -BatchNormStatistics Batch", "cnn", "SurfaceArgumentInvalid", "one sample")]
    [InlineData("Get-LossSurface -Dimensions 1 -Steps 3 -MaxSamples 40 -BatchNormStatistics Reset -FoldBatchNorm", "cnn", "SurfaceArgumentInvalid", "-FoldBatchNorm")]
    [InlineData("Get-LossSurface -Dimensions 1 -Steps 3 -MaxSamples 40 -BatchNormResetBatches 2", "cnn", "SurfaceArgumentInvalid", "give -BatchNormStatistics Reset")]
    [InlineData("Get-LossSurface -Dimensions 1 -Steps 3 -MaxSamples 40 -BatchSize 16 -BatchNormStatistics Reset -BatchNormResetBatches 4", "cnn", "SurfaceArgumentInvalid", "more batches")]
    [InlineData("Get-HessianSpectrum -MaxSamples 40 -BatchNormStatistics Batch", "cnn", "CurvatureInvalid", "not Batch")]
    [InlineData("Get-LandscapeSharpness -MaxSamples 40 -Samples 2 -Iterations 2 -BatchNormStatistics Reset", "cnn", "SharpnessInvalid", "Running, not Reset")]
    public void AModeACommandDoesNotDefineIsAClearErrorBeforeAnythingIsComputed(string command, string model, string errorId, string message)
    {
        var result = shell.Invoke($"Import-Checkpoint ${model} | {command}", variables);

        Assert.Null(result.Terminating);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith(errorId + ",", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains(message, error.Exception.Message);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void ADirectionTakesOnlyTheModesThatMoveOrKeepTheStatistics()
    {
        var result = shell.Invoke("$c = Import-Checkpoint $cnn; try { $c | New-LandscapeDirection -Target $c -BatchNormStatistics Reset } catch { $_ }", variables).ShouldSucceed();

        var error = Assert.IsType<ErrorRecord>(Assert.Single(result.Output).BaseObject);
        Assert.StartsWith("ParameterArgumentValidationError,", error.FullyQualifiedErrorId);
        Assert.Contains("Running", error.Exception.Message);
    }

    [Fact]
    public void TheHessianWithRecomputedStatisticsIsOfTheRecomputedModel()
    {
        var result = shell.Invoke("""
            $c = Import-Checkpoint $cnn
            $c | Get-HessianSpectrum -MaxSamples 40 -BatchSize 20 -Float64
            $c | Get-HessianSpectrum -MaxSamples 40 -BatchSize 20 -Float64 -BatchNormStatistics Reset
            """, variables).ShouldSucceed();

        var running = ((double[])result.Output[0].Properties["TopEigenvalues"].Value)[0];
        var reset = ((double[])result.Output[1].Properties["TopEigenvalues"].Value)[0];
        Assert.True(running > 0 && reset > 0);
        Assert.NotEqual(running, reset, 1e-6 * running);
    }
}
