namespace LossLandscape.PowerShell.Tests;

public sealed class CurvatureTests : IClassFixture<ModuleRunspace>, IDisposable
{
    private readonly ModuleRunspace shell;
    private readonly TempDirectory run = new();
    private readonly Dictionary<string, object?> variables;

    public CurvatureTests(ModuleRunspace shell)
    {
        this.shell = shell;
        shell.Invoke("Invoke-LandscapeTraining -Model DigitsCnn -Epochs 2 -MaxSamples 64 -Seed 4 -OutputDirectory $dir", new Dictionary<string, object?> { ["dir"] = run.Path }).ShouldSucceed();
        variables = new Dictionary<string, object?> { ["ckpt"] = Path.Combine(run.Path, "epoch-002.dat"), ["dir"] = run.Path };
    }

    public void Dispose() => run.Dispose();

    [Fact]
    public void CurvatureMapHasTheCheckpointsSpectrumAtItsCentreAndIsDrawnAsAHeatmap()
    {
        variables["png"] = Path.Combine(run.Path, "ratio.png");
        var result = shell.Invoke("""
            $c = Import-Checkpoint $ckpt
            $map = $c | Get-LossSurface -Metric Curvature -Steps 3
            $spectrum = $c | Get-HessianSpectrum -Tolerance 1e-2
            $file = $map | Export-LandscapePlot -Style Heatmap -Path $png -PassThru
            $map; $spectrum; $file
            """, variables).ShouldSucceed();

        var map = result.Output[0];
        var max = (double[,])map.Properties["MaxEigenvalue"].Value;
        var min = (double[,])map.Properties["MinEigenvalue"].Value;
        var ratio = (double[,])map.Properties["EigenvalueRatio"].Value;
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++)
            {
                Assert.True(max[i, j] > 0 && max[i, j] >= min[i, j]);
                Assert.Equal(Math.Abs(min[i, j] / max[i, j]), ratio[i, j], 12);
            }
        var spectrum = result.Output[1];
        var topAtCheckpoint = ((double[])spectrum.Properties["TopEigenvalues"].Value)[0];
        Assert.Equal(topAtCheckpoint, max[1, 1], topAtCheckpoint * 2e-2);
        Assert.Equal((double)spectrum.Properties["MinEigenvalue"].Value, min[1, 1], topAtCheckpoint * 2e-2);
        // A corner of the map, recomputed alone at that point along the same (seed-made) directions.
        var corner = Assert.Single(shell.Invoke("""
            $c = Import-Checkpoint $ckpt
            $d = $c | New-LandscapeDirection
            $c | Get-HessianSpectrum -Direction $d -Alpha 1 -Beta -1 -Tolerance 1e-2
            """, variables).ShouldSucceed().Output);
        var cornerTop = ((double[])corner.Properties["TopEigenvalues"].Value)[0];
        Assert.Equal(cornerTop, max[0, 2], cornerTop * 2e-2);
        Assert.True(((FileInfo)result.Output[2].BaseObject).Length > 10_000);
    }

    /// <summary>
    /// Both cmdlets bind -Dataset, -Split, -MaxSamples and -SubsetSeed through one declaration, so the
    /// Hessian's loss at θ* is the surface's loss at its centre; another subset seed gives another value.
    /// The checkpoint was trained on 64 samples, so a 40-sample subset is a choice among many.
    /// </summary>
    [Fact]
    public void GetHessianSpectrumAndGetLossSurfaceEvaluateTheSameSubsetForTheSameDataParameters()
    {
        var result = shell.Invoke("""
            $c = Import-Checkpoint $ckpt
            foreach ($seed in 5, 6) {
                ($c | Get-LossSurface -Dimensions 1 -XSteps 3 -MaxSamples 40 -SubsetSeed $seed -ThrottleLimit 1).TrainLoss[1]
                ($c | Get-HessianSpectrum -MaxSamples 40 -SubsetSeed $seed -LanczosTolerance 1e-2 -OutFile ([System.IO.Path]::Combine($dir, "h$seed.h5"))).Loss
            }
            ($c | Get-HessianSpectrum -MaxSamples 40 -SubsetSeed 5 -Split Test -LanczosTolerance 1e-2 -OutFile ([System.IO.Path]::Combine($dir, 'test.h5'))).Loss
            """, variables).ShouldSucceed();

        var losses = result.Output.Select(o => (double)o.BaseObject).ToArray();
        Assert.Equal(5, losses.Length);
        Assert.Equal(losses[0], losses[1], 1e-12);
        Assert.Equal(losses[2], losses[3], 1e-12);
        Assert.True(Math.Abs(losses[0] - losses[2]) > 1e-4, $"seeds 5 and 6 gave the same loss {losses[0]}");
        Assert.True(Math.Abs(losses[0] - losses[4]) > 1e-4, $"the train and test splits gave the same loss {losses[0]}");
    }

    [Fact]
    public void TheLandscapeAlongTheTopEigenvectorCurvesByTheTopEigenvalue()
    {
        var result = shell.Invoke("""
            $spectrum = Import-Checkpoint $ckpt | Get-HessianSpectrum -Top 2 -Tolerance 1e-4
            $curve = $spectrum | Get-LossSurface -Dimensions 1 -Direction $spectrum.Direction[0] -XRange -0.005,0.005 -XSteps 3
            $plane = $spectrum | Get-LossSurface -Steps 3 -Range -0.005,0.005
            $spectrum; $curve; $plane; $spectrum.Direction[0].Kind.ToString(); $spectrum.Direction[0].Norm
            """, variables).ShouldSucceed();
        var top = ((double[])result.Output[0].Properties["TopEigenvalues"].Value)[0];
        var loss = (double[])result.Output[1].Properties["TrainLoss"].Value;
        var norm = (double)result.Output[4].BaseObject;
        // f(θ* + αv) ≈ f(θ*) + ½ λ ‖v‖² α² for an eigenvector v (rescaled to the random plane's norm): the central second difference gives λ‖v‖².
        var secondDifference = (loss[0] - 2 * loss[1] + loss[2]) / (0.005 * 0.005) / (norm * norm);
        Assert.Equal(top, secondDifference, top * 0.1);
        Assert.Equal("Eigenvector", result.Output[3].ToString());
        Assert.Equal(2, result.Output[2].Properties["Dimensions"].Value);
    }

    /// <summary>
    /// Böttcher and Wheeler's comparison as one figure: the random plane, the λmax/λmin plane at the random
    /// plane's norms (so α is the same distance on both), and the |λmin/λmax| map on its own colour scale.
    /// </summary>
    [Fact]
    public void TheTopBottomPlaneSitsBesideTheRandomPlaneAndTheRatioMapInOneFigure()
    {
        variables["svg"] = Path.Combine(run.Path, "hessian-planes.svg");
        var result = shell.Invoke("""
            $c = Import-Checkpoint $ckpt
            $spectrum = $c | Get-HessianSpectrum -Pair TopBottom -DirectionSeed 7 -MaxSamples 40 -Tolerance 1e-3 -OutFile ([System.IO.Path]::Combine($dir, 'tb.h5'))
            $random = $c | Get-LossSurface -Seed 7 -Steps 3 -Range -0.5,0.5 -MaxSamples 40 -ThrottleLimit 1
            $hessian = $spectrum | Get-LossSurface -Steps 3 -Range -0.5,0.5 -MaxSamples 40 -ThrottleLimit 1
            $ratio = $c | Get-LossSurface -Seed 7 -Steps 3 -Range -0.5,0.5 -MaxSamples 40 -Metric Curvature -ThrottleLimit 1
            $random, $hessian, $ratio | Export-LandscapePlot -Layout Grid -Path $svg
            $spectrum; $random.Directions[0].Norm; $random.Directions[1].Norm
            """, variables).ShouldSucceed();

        var spectrum = result.Output[0];
        var directions = ((object[])spectrum.Properties["Direction"].Value).Select(System.Management.Automation.PSObject.AsPSObject).ToArray();
        Assert.Equal("RandomNorm", directions[1].Properties["Normalization"].Value.ToString());
        Assert.Contains($"λ = {(double)spectrum.Properties["MinEigenvalue"].Value:G4}", directions[1].ToString());
        Assert.Equal((double)result.Output[1].BaseObject, (double)directions[0].Properties["Norm"].Value, 1e-6 * (double)result.Output[1].BaseObject);
        Assert.Equal((double)result.Output[2].BaseObject, (double)directions[1].Properties["Norm"].Value, 1e-6 * (double)result.Output[2].BaseObject);
        var texts = System.Text.RegularExpressions.Regex.Matches(File.ReadAllText((string)variables["svg"]!), @"<text[^>]*>\s*([^<]*?)\s*</text>")
            .Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value)).ToArray();
        Assert.Contains("random plane: train loss", texts);
        Assert.Contains(texts, t => t.StartsWith("Hessian plane (λ ", StringComparison.Ordinal) && t.EndsWith("): train loss", StringComparison.Ordinal));
        Assert.Contains("random plane: |λmin/λmax|", texts);
        Assert.Single(texts, t => t == "train loss");
    }

    [Fact]
    public void TraceAndDensityAreReported()
    {
        var spectrum = Assert.Single(shell.Invoke("Import-Checkpoint $ckpt | Get-HessianSpectrum -Top 3 -Trace -Probes 10 -Density -Runs 2 -LanczosSteps 20 -Tolerance 1e-3", variables).ShouldSucceed().Output);
        var top = (double[])spectrum.Properties["TopEigenvalues"].Value;
        Assert.Equal(3, top.Length);
        Assert.True(top[0] >= top[1] && top[1] >= top[2]);
        Assert.True(double.IsFinite((double)spectrum.Properties["Trace"].Value));
        var grid = (double[])spectrum.Properties["DensityGrid"].Value;
        var density = (double[])spectrum.Properties["Density"].Value;
        var integral = 0.0;
        for (var i = 1; i < grid.Length; i++) integral += (grid[i] - grid[i - 1]) * (density[i] + density[i - 1]) / 2;
        Assert.Equal(1.0, integral, 2);
    }

    [Fact]
    public void InvalidStatesAreClearErrorsAndTheHostSurvives()
    {
        variables["nan"] = BrokenCheckpoint.WithNaN(Path.Combine(run.Path, "epoch-002.dat"), Path.Combine(run.Path, "nan"));
        var nan = shell.Invoke("Import-Checkpoint $nan -WarningAction SilentlyContinue | Get-HessianSpectrum", variables);
        Assert.StartsWith("CheckpointNonFinite,", Assert.Single(nan.Errors).FullyQualifiedErrorId);

        // A direction file of another model (an Mlp) does not fit the CNN: its first tensor is named.
        variables["other"] = Path.Combine(run.Path, "mlp");
        variables["dirfile"] = Path.Combine(run.Path, "mlp-directions.h5");
        var wrongShape = shell.Invoke("""
            $mlp = Invoke-LandscapeTraining -Model Mlp -Epochs 1 -MaxSamples 64 -OutputDirectory $other
            $mlp[-1] | New-LandscapeDirection -OutFile $dirfile | Out-Null
            Import-LandscapeDirection -Path $dirfile -Checkpoint (Import-Checkpoint $ckpt)
            """, variables);
        var error = Assert.Single(wrongShape.Errors);
        Assert.StartsWith("DirectionFileInvalid,", error.FullyQualifiedErrorId);

        var emptyData = shell.Invoke("Import-Checkpoint $ckpt | Get-HessianSpectrum -MaxSamples 0", variables);
        Assert.StartsWith("ParameterArgumentValidationError,", Assert.Single(emptyData.Errors).FullyQualifiedErrorId);

        // The host is still alive and computes.
        Assert.Single(shell.Invoke("Import-Checkpoint $ckpt | Get-HessianSpectrum -Tolerance 1e-2", variables).ShouldSucceed().Output);
    }
}
