using System.Management.Automation;

namespace LossLandscape.PowerShell.Tests;

/// <summary>Invoke-CurveTraining between two small Mlp minima, and Measure-ModeConnectivity -Bend along the curve it trains.</summary>
public sealed class CurveTrainingTests : IClassFixture<ModuleRunspace>, IDisposable
{
    private readonly ModuleRunspace shell;
    private readonly TempDirectory run = new();
    private readonly Dictionary<string, object?> variables;

    public CurveTrainingTests(ModuleRunspace shell)
    {
        this.shell = shell;
        variables = new Dictionary<string, object?> { ["dir"] = run.Path };
        shell.Invoke("""
            foreach ($seed in 1, 2) { $null = Invoke-LandscapeTraining -Model Mlp -Epochs 3 -MaxSamples 120 -Seed $seed -OutputDirectory "$dir/mlp$seed" }
            """, variables).ShouldSucceed();
    }

    public void Dispose() => run.Dispose();

    [Fact]
    public void TheBendsArePerEpochAndTheCurveThroughTheMidpointIsTheLine()
    {
        var result = shell.Invoke("""
            $a = Import-Checkpoint $dir/mlp1/epoch-003.dat
            $b = Import-Checkpoint $dir/mlp2/epoch-003.dat
            $bends = $a | Invoke-CurveTraining -Target $b -Epochs 2 -Seed 4 -OutputDirectory $dir/curve
            $bends.Count
            $a | Measure-ModeConnectivity -Target $b -Steps 7 -Split Train
            $a | Measure-ModeConnectivity -Target $b -Bend $bends[0] -Steps 7 -Split Train
            $a | Measure-ModeConnectivity -Target $b -Bend $bends[-1] -Steps 7 -Split Train
            (@($a | Invoke-CurveTraining -Target $b -Epochs 2 -Seed 4 -OutputDirectory $dir/curve))[-1].Path -eq $bends[-1].Path
            """, variables).ShouldSucceed();

        Assert.Equal(3, (int)result.Output[0].BaseObject);
        var (line, midpoint, trained) = (result.Output[1], result.Output[2], result.Output[3]);
        Assert.Equal("Line", line.Properties["Path"].Value);
        Assert.Equal("Bezier", trained.Properties["Path"].Value);
        var lineLoss = (double[])line.Properties["TrainLoss"].Value;
        var midpointLoss = (double[])midpoint.Properties["TrainLoss"].Value;
        var trainedLoss = (double[])trained.Properties["TrainLoss"].Value;
        // (1 − t)²θ_A + 2t(1 − t)(θ_A + θ_B)/2 + t²θ_B = (1 − t)θ_A + tθ_B: up to float32 rounding of the placements.
        for (var i = 0; i < lineLoss.Length; i++) Assert.Equal(lineLoss[i], midpointLoss[i], 1e-5 * lineLoss[i]);
        Assert.Equal(lineLoss[0], trainedLoss[0], 1e-6 * lineLoss[0]);
        Assert.Equal(lineLoss[^1], trainedLoss[^1], 1e-6 * lineLoss[^1]);
        Assert.NotEqual(lineLoss[3], trainedLoss[3]);
        Assert.True((bool)result.Output[4].BaseObject, "a rerun reuses the finished bends");
    }

    [Fact]
    public void ACurveBetweenTwoArchitecturesIsCurveTrainingInvalidAndWritesNothing()
    {
        var result = shell.Invoke("""
            $linear = @(Invoke-LandscapeTraining -Model Mlp -HiddenWidth @() -Epochs 1 -MaxSamples 60 -Seed 1 -OutputDirectory "$dir/linear")[-1]
            Import-Checkpoint $dir/mlp1/epoch-003.dat | Invoke-CurveTraining -Target $linear -Epochs 1 -OutputDirectory $dir/mixed
            """, variables);

        Assert.Null(result.Terminating);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("CurveTrainingInvalid,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("a curve between them is undefined", error.Exception.Message);
        Assert.False(Directory.Exists(Path.Combine(run.Path, "mixed")));
    }

    [Theory]
    [InlineData("-GroupBy Layer", "apply to the line only")]
    [InlineData("-OutFile $dir/curve.h5", "evaluated in memory")]
    public void ACurveWithAnOptionOfTheLineOnlyIsModeConnectivityInvalid(string options, string message)
    {
        var result = shell.Invoke($"""
            $a = Import-Checkpoint $dir/mlp1/epoch-003.dat
            $b = Import-Checkpoint $dir/mlp2/epoch-003.dat
            $a | Measure-ModeConnectivity -Target $b -Bend $b -Steps 3 {options}
            """, variables);

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("ModeConnectivityInvalid,", error.FullyQualifiedErrorId);
        Assert.Contains(message, error.Exception.Message);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void TheCurvesPlaneRecordsItsPointsAndItsSurfaceCoversThemAndIsPlotted()
    {
        var result = shell.Invoke("""
            $a = Import-Checkpoint $dir/mlp1/epoch-003.dat
            $b = Import-Checkpoint $dir/mlp2/epoch-003.dat
            $bends = $a | Invoke-CurveTraining -Target $b -Epochs 2 -Seed 4 -OutputDirectory $dir/curve
            $plane = $a | New-LandscapeDirection -Target $b -Bend $bends[-1]
            $plane[0].Plane
            ($a | New-LandscapeDirection -Target $b).Norm
            $a | Get-LossSurface -Direction $plane -Steps 5
            $a | Get-LossSurface -Direction $plane -Steps 5 | Export-LandscapePlot -Path $dir/plane.png -PassThru
            """, variables).ShouldSucceed();

        var plane = result.Output[0];
        var (targetX, bendX, bendY) = ((double)plane.Properties["TargetX"].Value, (double)plane.Properties["BendX"].Value, (double)plane.Properties["BendY"].Value);
        Assert.Equal("Bezier", plane.Properties["Curve"].Value.ToString());
        Assert.Equal((double)result.Output[1].BaseObject, targetX, 1e-6 * targetX);
        Assert.True(bendY > 0);
        var surface = result.Output[2];
        var x = (double[])surface.Properties["X"].Value;
        var y = (double[])surface.Properties["Y"].Value;
        var pad = 0.25 * Math.Max(targetX, bendY);
        Assert.Equal(Math.Min(0, bendX) - pad, x[0], 1e-12);
        Assert.Equal(Math.Max(targetX, bendX) + pad, x[^1], 1e-12);
        Assert.Equal(-pad, y[0], 1e-12);
        Assert.Equal(bendY + pad, y[^1], 1e-12);
        var png = (FileInfo)result.Output[3].BaseObject;
        Assert.True(png.Length > 1000);
    }

    [Fact]
    public void TheMidpointBendSpansNoPlaneAndIsDirectionInvalid()
    {
        var result = shell.Invoke("""
            $a = Import-Checkpoint $dir/mlp1/epoch-003.dat
            $b = Import-Checkpoint $dir/mlp2/epoch-003.dat
            $midpoint = @($a | Invoke-CurveTraining -Target $b -Epochs 1 -OutputDirectory $dir/curve)[0]
            $a | New-LandscapeDirection -Target $b -Bend $midpoint
            """, variables);

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("DirectionInvalid,", error.FullyQualifiedErrorId);
        Assert.Contains("span no plane", error.Exception.Message);
        Assert.Empty(result.Output);
    }
}
