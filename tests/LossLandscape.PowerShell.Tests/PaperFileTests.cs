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
        // The file holds values only: how they were normalized is not known, and is not said to be None.
        Assert.All(result.Output, d => Assert.Equal("Unknown", d.Properties["Normalization"].Value.ToString()));

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

    [Fact]
    public void AnUnfinishedPaperSurfaceIsFinishedIntoANewFile()
    {
        variables["dirs"] = Path.Combine(run.Path, "dirs.h5");
        var full = Assert.Single(shell.Invoke("""
            $c = Import-Checkpoint $ckpt
            $d = $c | New-LandscapeDirection -OutFile $dirs
            $c | Get-LossSurface -Direction $d -XRange -1,1 -XSteps 5 -YRange -0.5,0.5 -YSteps 3
            """, variables).ShouldSucceed().Output);
        var loss = ((double[,])full.Properties["TrainLoss"].Value).Cast<double>().ToArray();
        var accuracy = ((double[,])full.Properties["TrainAccuracy"].Value).Cast<double>().ToArray();

        // As the paper's plot_surface.py leaves it: arrays declared (len(x), len(y)), filled in
        // meshgrid(x, y) order, −1 where not computed yet, no LossLandscape metadata.
        var unfinishedLoss = loss.Select((v, i) => i >= 11 ? -1 : v).ToArray();
        var unfinishedAccuracy = accuracy.Select((v, i) => i >= 11 ? -1 : v).ToArray();
        var paper = Path.Combine(run.Path, "paper_surface.h5");
        new PureHDF.H5File
        {
            ["xcoordinates"] = new double[] { -1, -0.5, 0, 0.5, 1 },
            ["ycoordinates"] = new double[] { -0.5, 0, 0.5 },
            ["train_loss"] = new PureHDF.H5Dataset(unfinishedLoss, fileDims: [5, 3]),
            ["train_acc"] = new PureHDF.H5Dataset(unfinishedAccuracy, fileDims: [5, 3]),
            ["dir_file"] = (string)variables["dirs"]!,
        }.Write(paper);
        var before = File.ReadAllBytes(paper);
        variables["paper"] = paper;
        variables["finished"] = Path.Combine(run.Path, "finished.h5");

        var resumed = shell.Invoke("""
            $c = Import-Checkpoint $ckpt
            $d = Import-LandscapeDirection -Path $dirs -Checkpoint $c
            $c | Get-LossSurface -Direction $d -ResumeFrom $paper -OutFile $finished -Verbose
            """, variables).ShouldSucceed();

        Assert.Contains(resumed.Verbose, v => v.Contains("Took over 11 of 15 finished points", StringComparison.Ordinal));
        Assert.Contains(resumed.Verbose, v => v.StartsWith("4 point(s) to compute", StringComparison.Ordinal));
        var finished = Assert.Single(resumed.Output);
        Assert.Equal(loss, ((double[,])finished.Properties["TrainLoss"].Value).Cast<double>().ToArray());
        Assert.True((bool)finished.Properties["IsComplete"].Value);
        Assert.Equal(before, File.ReadAllBytes(paper));

        var sameFile = shell.Invoke("Import-Checkpoint $ckpt | Get-LossSurface -Direction (Import-LandscapeDirection -Path $dirs -Checkpoint (Import-Checkpoint $ckpt)) -ResumeFrom $paper -OutFile $paper", variables);
        Assert.StartsWith("SurfaceArgumentInvalid,", Assert.Single(sameFile.Errors).FullyQualifiedErrorId);
    }
}
