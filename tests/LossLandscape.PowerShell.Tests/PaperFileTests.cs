namespace LossLandscape.PowerShell.Tests;

/// <summary>The paper code's files through the cmdlets.</summary>
public sealed class PaperFileTests : IClassFixture<ModuleRunspace>, IDisposable
{
    private static readonly string Fixtures = Path.Combine(ModuleRunspace.RepoRoot, "tests", "LossLandscape.Core.Tests", "Fixtures", "PaperFiles");
    private readonly ModuleRunspace shell;
    private readonly TempDirectory run = new();
    private readonly Dictionary<string, object?> variables;

    public PaperFileTests(ModuleRunspace shell)
    {
        this.shell = shell;
        shell.Invoke("Invoke-LandscapeTraining -Model DigitsCnn -Epochs 3 -MaxSamples 200 -Seed 9 -OutputDirectory $dir", new Dictionary<string, object?> { ["dir"] = run.Path }).ShouldSucceed();
        variables = new Dictionary<string, object?> { ["dir"] = run.Path, ["pattern"] = Path.Combine(run.Path, "epoch-*.dat"), ["ckpt"] = Path.Combine(run.Path, "epoch-003.dat") };
    }

    public void Dispose() => run.Dispose();

    [Fact]
    public void APcaExportedInThePaperLayoutImportsToTheSamePlaneAndSurface()
    {
        variables["pcafile"] = Path.Combine(run.Path, "directions.h5");
        var result = shell.Invoke("""
            $pca = Import-Checkpoint $pattern | Get-TrajectoryPCA
            $files = $pca | Export-TrajectoryPCA -Path $pcafile -PassThru
            $back = Import-TrajectoryPCA -Path $files[0].FullName -ProjectionPath $files[1].FullName -Reference $pca.Checkpoint
            ($pca.ExplainedVarianceRatio -join ','), ($back.ExplainedVarianceRatio -join ',')
            ($pca.Points.X -join ','), ($back.Points.X -join ',')
            ($pca.Direction.Sha256 -join ','), ($back.Direction.Sha256 -join ',')
            ($pca | Get-LossSurface -Steps 3).TrainLoss -join ','
            ($back | Get-LossSurface -Steps 3).TrainLoss -join ','
            """, variables).ShouldSucceed();
        var lines = result.Output.Select(o => o.ToString()).ToArray();
        for (var i = 0; i < lines.Length; i += 2) Assert.Equal(lines[i], lines[i + 1]);
        Assert.True(File.Exists(Path.Combine(run.Path, "directions.h5_proj_cos.h5")));
    }

    [Fact]
    public void APaperStatesDirectionFileMovesTheBatchNormStatistics()
    {
        variables["states"] = Path.Combine(Fixtures, "digits_states.h5");
        var result = shell.Invoke("Import-LandscapeDirection -Path $states -Checkpoint (Import-Checkpoint $ckpt)", variables).ShouldSucceed();
        Assert.Equal(2, result.Output.Count);
        Assert.All(result.Output, d => Assert.Equal("Interpolate", d.Properties["BatchNormStatistics"].Value.ToString()));

        variables["bad"] = Path.Combine(Fixtures, "digits_states_bad.h5");
        var bad = shell.Invoke("Import-LandscapeDirection -Path $bad -Checkpoint (Import-Checkpoint $ckpt)", variables);
        var error = Assert.Single(bad.Errors);
        Assert.StartsWith("DirectionFileInvalid,", error.FullyQualifiedErrorId);
        Assert.Contains("/7", error.Exception.Message);
    }

    [Fact]
    public void APaperHessianFileImportsAsACurvatureMap()
    {
        variables["hessian"] = Path.Combine(Fixtures, "hessian_surface.h5");
        var map = Assert.Single(shell.Invoke("Import-LossSurface -Path $hessian", variables).ShouldSucceed().Output);
        Assert.StartsWith("PaperHessian", (string)map.Properties["Metric"].Value);
        Assert.Contains("eig_ratio", (string[])map.Properties["ValueNames"].Value);
        Assert.False((bool)map.Properties["IsComplete"].Value);
    }
}
