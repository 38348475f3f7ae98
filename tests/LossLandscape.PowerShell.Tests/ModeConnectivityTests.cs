using System.Management.Automation;

namespace LossLandscape.PowerShell.Tests;

/// <summary>Measure-ModeConnectivity between small digits models: two Mlp seeds, a linear Mlp and a DigitsCnn (BatchNorm).</summary>
public sealed class ModeConnectivityTests : IClassFixture<ModuleRunspace>, IDisposable
{
    private readonly ModuleRunspace shell;
    private readonly TempDirectory run = new();
    private readonly Dictionary<string, object?> variables;

    public ModeConnectivityTests(ModuleRunspace shell)
    {
        this.shell = shell;
        shell.Invoke("""
            foreach ($seed in 1, 2) { $null = Invoke-LandscapeTraining -Model Mlp -Epochs 2 -MaxSamples 120 -Seed $seed -OutputDirectory "$dir/mlp$seed" }
            foreach ($seed in 1, 2) { $null = Invoke-LandscapeTraining -Model Mlp -HiddenWidth @() -Epochs 2 -MaxSamples 120 -Seed $seed -OutputDirectory "$dir/linear$seed" }
            $null = Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 64 -Seed 3 -OutputDirectory "$dir/cnn"
            """, new Dictionary<string, object?> { ["dir"] = run.Path }).ShouldSucceed();
        variables = new Dictionary<string, object?> { ["dir"] = run.Path };
    }

    public void Dispose() => run.Dispose();

    [Fact]
    public void IdenticalEndpointsGiveExactlyZeroBarriersWithStatisticsRecomputedAtEveryT()
    {
        var result = shell.Invoke("$c = Import-Checkpoint $dir/cnn/epoch-001.dat; $c | Measure-ModeConnectivity -Target $c -Steps 5", variables).ShouldSucceed();

        var path = Assert.Single(result.Output);
        Assert.Equal("Reset", path.Properties["BatchNormStatistics"].Value);
        foreach (var barrier in (object[])path.Properties["Barriers"].Value)
        {
            var row = PSObject.AsPSObject(barrier);
            Assert.Equal(0.0, row.Properties["Barrier"].Value);
            Assert.Equal(0.0, row.Properties["BarrierMidpoint"].Value);
        }
        var loss = (double[])path.Properties["TrainLoss"].Value;
        Assert.Equal(5, loss.Length);
        Assert.All(loss, value => Assert.Equal(loss[0], value));
        Assert.Equal(4, ((object[])path.Properties["Barriers"].Value).Length);
    }

    [Fact]
    public void TheEndsAreTheCheckpointsOwnLossesAndTheBarriersFollowTheirDefinitions()
    {
        var result = shell.Invoke("""
            $a = Import-Checkpoint $dir/mlp1/epoch-002.dat
            $b = Import-Checkpoint $dir/mlp2/epoch-002.dat
            $a | Measure-ModeConnectivity -Target $b -Steps 9 -Split Train
            $a.TrainLoss
            $b.TrainLoss
            """, variables).ShouldSucceed();

        var path = result.Output[0];
        var (lossA, lossB) = ((double)result.Output[1].BaseObject, (double)result.Output[2].BaseObject);
        var t = (double[])path.Properties["T"].Value;
        var loss = (double[])path.Properties["TrainLoss"].Value;
        Assert.Equal("Running", path.Properties["BatchNormStatistics"].Value);
        Assert.Equal(lossA, loss[0], 1e-6 * lossA);
        Assert.Equal(lossB, loss[^1], 1e-6 * lossB);
        // The two definitions, computed here from the returned curve.
        var chord = Enumerable.Range(0, t.Length).Select(i => loss[i] - ((1 - t[i]) * loss[0] + t[i] * loss[^1])).ToArray();
        var mean = loss.Select(l => l - 0.5 * (loss[0] + loss[^1])).ToArray();
        Assert.Equal(chord.Max(), (double)path.Properties["Barrier"].Value, 1e-12);
        Assert.Equal(t[Array.IndexOf(chord, chord.Max())], path.Properties["BarrierT"].Value);
        Assert.Equal(mean.Max(), (double)path.Properties["BarrierMidpoint"].Value, 1e-12);
        Assert.True((double)path.Properties["Barrier"].Value >= 0, "t = 0 lies on the chord, so the maximum is never below 0");
        var error = (double[])path.Properties["TrainError"].Value;
        var accuracy = (double[])PSObject.AsPSObject(path.Properties["Surface"].Value).Properties["TrainAccuracy"].Value;
        Assert.Equal(accuracy.Select(a => 100 - a), error);
        Assert.Null(path.Properties["TestLoss"].Value);
    }

    [Fact]
    public void TheOnlyLayersPathIsTheWholePathAndTheResultPlotsAndResumesFromItsFile()
    {
        var result = shell.Invoke("""
            $a = Import-Checkpoint $dir/linear1/epoch-002.dat
            $b = Import-Checkpoint $dir/linear2/epoch-002.dat
            $path = $a | Measure-ModeConnectivity -Target $b -Steps 5 -GroupBy Layer -OutFile $dir/path.h5
            $path
            $path | Export-LandscapePlot -Path $dir/path.png -PassThru
            $a | Measure-ModeConnectivity -Target $b -Steps 5 -OutFile $dir/path.h5 -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
            """, variables).ShouldSucceed();

        var path = result.Output[0];
        var whole = ((object[])path.Properties["Barriers"].Value).Select(PSObject.AsPSObject).ToArray();
        var groups = ((object[])path.Properties["GroupBarriers"].Value).Select(PSObject.AsPSObject).ToArray();
        Assert.Equal(whole.Length, groups.Length);
        Assert.All(groups, g => Assert.Equal("layers.0", g.Properties["Group"].Value));
        for (var i = 0; i < whole.Length; i++)
        {
            Assert.Equal(whole[i].Properties["Barrier"].Value, groups[i].Properties["Barrier"].Value);
            Assert.Equal(whole[i].Properties["BarrierMidpoint"].Value, groups[i].Properties["BarrierMidpoint"].Value);
        }
        Assert.True(File.Exists(Path.Combine(run.Path, "path.png")) && new FileInfo(Path.Combine(run.Path, "path.png")).Length > 1000);
        Assert.Contains(result.Output.Skip(2).Select(o => o.BaseObject.ToString()), m => m!.Contains("already holds this complete surface", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("$dir/cnn/epoch-001.dat", "-Target (Import-Checkpoint $dir/mlp1/epoch-002.dat)", "does not have the parameters")]
    [InlineData("$dir/cnn/epoch-001.dat", "-Target (Import-Checkpoint $dir/cnn/epoch-001.dat) -BatchNormStatistics Batch", "Barriers compare")]
    [InlineData("$dir/cnn/epoch-001.dat", "-Target (Import-Checkpoint $dir/cnn/epoch-001.dat) -GroupBy Layer -Parameter 'conv1.*'", "give one of them")]
    [InlineData("$dir/cnn/epoch-001.dat", "-Target (Import-Checkpoint $dir/cnn/epoch-001.dat) -GroupBy Block -BatchNormStatistics Interpolate", "use Reset")]
    public void APathThatIsUndefinedIsModeConnectivityInvalidAndComputesNothing(string from, string options, string message)
    {
        var result = shell.Invoke($"Import-Checkpoint {from} | Measure-ModeConnectivity {options} -Steps 3", variables);

        Assert.Null(result.Terminating);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("ModeConnectivityInvalid,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains(message, error.Exception.Message);
        Assert.Empty(result.Output);
    }
}
