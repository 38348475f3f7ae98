using System.Management.Automation;

namespace LossLandscape.PowerShell.Tests;

/// <summary>The design card's pipeline and the surface cmdlets, in the real engine.</summary>
public sealed class SurfaceTests : IClassFixture<ModuleRunspace>, IDisposable
{
    private readonly ModuleRunspace shell;
    private readonly TempDirectory run = new();
    private readonly Dictionary<string, object?> variables;

    public SurfaceTests(ModuleRunspace shell)
    {
        this.shell = shell;
        shell.Invoke("Invoke-LandscapeTraining -Model DigitsCnn -Epochs 2 -MaxSamples 300 -Seed 2 -OutputDirectory $dir", new Dictionary<string, object?> { ["dir"] = run.Path }).ShouldSucceed();
        variables = new Dictionary<string, object?>
        {
            ["ckpt"] = Path.Combine(run.Path, "epoch-002.dat"),
            ["start"] = Path.Combine(run.Path, "epoch-001.dat"),
            ["dir"] = run.Path,
        };
    }

    public void Dispose() => run.Dispose();

    [Fact]
    public void TheDesignCardPipelineWorksAsTyped()
    {
        var plots = Path.Combine(run.Path, "plots");
        Directory.CreateDirectory(plots);
        variables["plots"] = plots;
        shell.Invoke("Import-Checkpoint $ckpt | Get-LossSurface -Steps 11 | Export-LandscapePlot -Path $plots", variables).ShouldSucceed();

        var png = Assert.Single(Directory.GetFiles(plots, "*.png"));
        Assert.Equal("DigitsCnn-epoch002-2d-lines.png", Path.GetFileName(png));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);

        var surface = Assert.Single(shell.Invoke("Import-Checkpoint $ckpt | Get-LossSurface -Steps 11", variables).ShouldSucceed().Output);
        var loss = (double[,])surface.Properties["TrainLoss"].Value;
        Assert.Equal(11, loss.GetLength(0));
        Assert.Equal(11, loss.GetLength(1));
        Assert.All(loss.Cast<double>(), v => Assert.True(double.IsFinite(v)));
        var checkpointLoss = (double)shell.Invoke("(Import-Checkpoint $ckpt).TrainLoss", variables).Output[0].BaseObject;
        Assert.Equal(checkpointLoss, loss[5, 5], checkpointLoss * 1e-6);
    }

    [Fact]
    public void NonSquareGridsIndexYThenX()
    {
        var surface = Assert.Single(shell.Invoke("Import-Checkpoint $ckpt | Get-LossSurface -XRange -1,1 -XSteps 5 -YRange -0.5,0.5 -YSteps 3 -Split Both", variables).ShouldSucceed().Output);
        Assert.Equal([-1.0, -0.5, 0, 0.5, 1], (double[])surface.Properties["X"].Value);
        Assert.Equal([-0.5, 0, 0.5], (double[])surface.Properties["Y"].Value);
        var train = (double[,])surface.Properties["TrainLoss"].Value;
        var test = (double[,])surface.Properties["TestLoss"].Value;
        Assert.Equal((3, 5), (train.GetLength(0), train.GetLength(1)));
        Assert.Equal((3, 5), (test.GetLength(0), test.GetLength(1)));
        Assert.Equal("5×3", surface.Properties["GridSize"].Value);
    }

    [Fact]
    public void DirectionsAreDeterministicSerialAndUnderForEachObjectParallel()
    {
        var serial = shell.Invoke("(Import-Checkpoint $ckpt | New-LandscapeDirection -Seed 5).Sha256", variables).ShouldSucceed().Output.Select(o => o.ToString()).ToArray();
        variables["manifest"] = ModuleRunspace.ManifestPath;
        var parallel = shell.Invoke("1..3 | ForEach-Object -Parallel { Import-Module $using:manifest; (Import-Checkpoint $using:ckpt | New-LandscapeDirection -Seed 5)[1].Sha256 } -ThrottleLimit 3", variables).ShouldSucceed();

        Assert.Equal(2, serial.Length);
        Assert.NotEqual(serial[0], serial[1]);
        Assert.All(parallel.Output, o => Assert.Equal(serial[1], o.ToString()));
        Assert.Equal(3, parallel.Output.Count);
    }

    [Fact]
    public void SavedDirectionsReproduceTheSurface()
    {
        variables["dirfile"] = Path.Combine(run.Path, "directions.h5");
        var result = shell.Invoke("""
            $c = Import-Checkpoint $ckpt
            $made = $c | New-LandscapeDirection -Seed 8 -OutFile $dirfile
            $read = Import-LandscapeDirection -Path $dirfile -Checkpoint $c
            $a = $c | Get-LossSurface -Direction $made -Steps 3
            $b = $c | Get-LossSurface -Direction $read -Steps 3
            $c2 = $c | Get-LossSurface -Seed 8 -Steps 3
            ($made.Sha256 -join ','), ($read.Sha256 -join ','), ($a.TrainLoss -join ','), ($b.TrainLoss -join ','), ($c2.TrainLoss -join ',')
            """, variables).ShouldSucceed();
        var lines = result.Output.Select(o => o.ToString()).ToArray();
        Assert.Equal(lines[0], lines[1]);
        Assert.Equal(lines[2], lines[3]);
        Assert.Equal(lines[2], lines[4]);
    }

    [Fact]
    public void InterpolationBetweenTwoCheckpointsReachesTheTargetsLoss()
    {
        var result = shell.Invoke("""
            $a = Import-Checkpoint $start
            $b = Import-Checkpoint $ckpt
            $d = $a | New-LandscapeDirection -Target $b -BatchNormStatistics Interpolate
            $a | Get-LossSurface -Direction $d -XRange -0.5,1.5 -XSteps 9
            """, variables).ShouldSucceed();
        var curve = Assert.Single(result.Output);
        Assert.Equal(1, curve.Properties["Dimensions"].Value);
        var loss = (double[])curve.Properties["TrainLoss"].Value;
        var ends = shell.Invoke("(Import-Checkpoint $start).TrainLoss; (Import-Checkpoint $ckpt).TrainLoss", variables).Output.Select(o => (double)o.BaseObject).ToArray();
        Assert.Equal(ends[0], loss[2], ends[0] * 1e-6);
        Assert.Equal(ends[1], loss[6], ends[1] * 1e-5);
    }

    [Fact]
    public void ExportRefusesToOverwriteWithoutForceAndPassThruReturnsTheFile()
    {
        variables["png"] = Path.Combine(run.Path, "curve.png");
        var first = shell.Invoke("Import-Checkpoint $ckpt | Get-LossSurface -Dimensions 1 -Steps 5 | Export-LandscapePlot -Path $png -PassThru", variables).ShouldSucceed();
        Assert.IsType<FileInfo>(Assert.Single(first.Output).BaseObject);
        var before = File.ReadAllBytes((string)variables["png"]!);

        var second = shell.Invoke("Import-Checkpoint $ckpt | Get-LossSurface -Dimensions 1 -Steps 5 -Seed 9 | Export-LandscapePlot -Path $png", variables);
        var error = Assert.Single(second.Errors);
        Assert.StartsWith("OutputFileExists,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceExists, error.CategoryInfo.Category);
        Assert.Equal(before, File.ReadAllBytes((string)variables["png"]!));

        shell.Invoke("Import-Checkpoint $ckpt | Get-LossSurface -Dimensions 1 -Steps 5 -Seed 9 | Export-LandscapePlot -Path $png -Force", variables).ShouldSucceed();
        Assert.NotEqual(before, File.ReadAllBytes((string)variables["png"]!));
    }

    [Fact]
    public void MinAndMaxSetTheLossAxisOfACurveSoCurvesShareAScale()
    {
        variables["fitted"] = Path.Combine(run.Path, "curve-fitted.png");
        variables["fixed"] = Path.Combine(run.Path, "curve-fixed.png");
        variables["again"] = Path.Combine(run.Path, "curve-fixed-again.png");
        shell.Invoke("""
            $curve = Import-Checkpoint $ckpt | Get-LossSurface -Dimensions 1 -Steps 5
            $curve | Export-LandscapePlot -Path $fitted
            $curve | Export-LandscapePlot -Path $fixed -Min 0 -Max 40
            $curve | Export-LandscapePlot -Path $again -Min 0 -Max 40
            """, variables).ShouldSucceed();

        Assert.NotEqual(File.ReadAllBytes((string)variables["fitted"]!), File.ReadAllBytes((string)variables["fixed"]!));
        Assert.Equal(File.ReadAllBytes((string)variables["fixed"]!), File.ReadAllBytes((string)variables["again"]!));
    }

    [Fact]
    public void SurfaceFileRoundTripsAndASecondRunReusesIt()
    {
        variables["h5"] = Path.Combine(run.Path, "surface.h5");
        var computed = Assert.Single(shell.Invoke("Import-Checkpoint $ckpt | Get-LossSurface -Steps 4 -OutFile $h5", variables).ShouldSucceed().Output);
        var again = shell.Invoke("Import-Checkpoint $ckpt | Get-LossSurface -Steps 4 -OutFile $h5 -Verbose", variables).ShouldSucceed();
        Assert.Contains(again.Verbose, v => v.Contains("already holds this complete surface", StringComparison.Ordinal));
        var imported = Assert.Single(shell.Invoke("Import-LossSurface -Path $h5", variables).ShouldSucceed().Output);
        Assert.Equal((double[,])computed.Properties["TrainLoss"].Value, (double[,])imported.Properties["TrainLoss"].Value);

        var mismatch = shell.Invoke("Import-Checkpoint $ckpt | Get-LossSurface -Steps 5 -OutFile $h5", variables);
        Assert.StartsWith("SurfaceSettingsMismatch,", Assert.Single(mismatch.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void ACheckpointFromAnotherModelIsAClearError()
    {
        var result = shell.Invoke("Import-Checkpoint $ckpt | Get-LossSurface -Steps 3 -Dataset Digits -MaxSamples 0", variables);
        Assert.NotEmpty(result.Errors);
        var wrongDirection = shell.Invoke("$d = Import-Checkpoint $start | New-LandscapeDirection; Import-Checkpoint $ckpt | Get-LossSurface -Direction $d -Steps 3", variables);
        var error = Assert.Single(wrongDirection.Errors);
        Assert.StartsWith("DirectionCheckpointMismatch,", error.FullyQualifiedErrorId);
        Assert.Contains("SHA-256", error.Exception.Message);
    }
}
