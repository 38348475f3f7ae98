using System.Management.Automation;

namespace LossLandscape.PowerShell.Tests;

public sealed class TrajectoryTests : IClassFixture<ModuleRunspace>, IDisposable
{
    private readonly ModuleRunspace shell;
    private readonly TempDirectory run = new();
    private readonly Dictionary<string, object?> variables;

    public TrajectoryTests(ModuleRunspace shell)
    {
        this.shell = shell;
        shell.Invoke("Invoke-LandscapeTraining -Model DigitsCnn -Epochs 4 -MaxSamples 300 -Seed 3 -OutputDirectory $dir", new Dictionary<string, object?> { ["dir"] = run.Path }).ShouldSucceed();
        variables = new Dictionary<string, object?> { ["dir"] = run.Path, ["pattern"] = Path.Combine(run.Path, "epoch-*.dat") };
    }

    public void Dispose() => run.Dispose();

    [Fact]
    public void PcaPlanePipesIntoASurfaceThatCoversThePathAndIsDrawnWithIt()
    {
        variables["png"] = Path.Combine(run.Path, "path.png");
        var result = shell.Invoke("""
            $pca = Import-Checkpoint $pattern | Get-TrajectoryPCA
            $surface = $pca | Get-LossSurface -Steps 7
            $file = $surface | Export-LandscapePlot -Path $png -Trajectory $pca -HighlightEpoch 2 -PassThru
            $pca; $surface; $file
            """, variables).ShouldSucceed();

        var pca = result.Output[0];
        var ratios = (double[])pca.Properties["ExplainedVarianceRatio"].Value;
        Assert.Equal(2, ratios.Length);
        Assert.True(ratios[0] >= ratios[1] && ratios[1] > 0 && ratios.Sum() <= 1 + 1e-12);
        var points = (Array)pca.Properties["Points"].Value;
        Assert.Equal(5, points.Length);
        var surface = result.Output[1];
        var x = (double[])surface.Properties["X"].Value;
        var y = (double[])surface.Properties["Y"].Value;
        foreach (dynamic point in points)
        {
            Assert.InRange((double)point.X, x[0], x[^1]);
            Assert.InRange((double)point.Y, y[0], y[^1]);
        }
        // The last checkpoint is the reference: the origin of the plane.
        dynamic last = points.GetValue(4)!;
        Assert.Equal(0.0, (double)last.X, 9);
        Assert.Equal(0.0, (double)last.Y, 9);
        Assert.True(((FileInfo)result.Output[2].BaseObject).Length > 10_000);
        Assert.True(File.Exists((string)pca.Properties["Path"].Value));
    }

    [Fact]
    public void ARangeTypedOnTheCommandLineOverridesThePipedPlanesRangeOnBothAxes()
    {
        var result = shell.Invoke("""
            $pca = Import-Checkpoint $pattern | Get-TrajectoryPCA
            $given = $pca | Get-LossSurface -Range -0.5, 0.5 -Steps 3 -MaxSamples 50
            $piped = $pca | Get-LossSurface -Steps 3 -MaxSamples 50
            $onlyY = $pca | Get-LossSurface -Range -0.5, 0.5 -XRange -0.25, 0.25 -Steps 3 -MaxSamples 50
            $given; $piped; $onlyY; $pca
            """, variables).ShouldSucceed();

        double[] Axis(int index, string name) => (double[])result.Output[index].Properties[name].Value;
        Assert.Equal([-0.5, 0, 0.5], Axis(0, "X"));
        Assert.Equal([-0.5, 0, 0.5], Axis(0, "Y"));
        // Without -Range the plane's own ranges, which cover the path, still apply.
        Assert.Equal(Axis(3, "XRange"), new[] { Axis(1, "X")[0], Axis(1, "X")[^1] });
        Assert.Equal(Axis(3, "YRange"), new[] { Axis(1, "Y")[0], Axis(1, "Y")[^1] });
        Assert.Equal([-0.25, 0, 0.25], Axis(2, "X"));
        Assert.Equal([-0.5, 0, 0.5], Axis(2, "Y"));
    }

    [Fact]
    public void APcaPlotNamesItsComponentsHasEqualUnitsAndADefaultNameOfItsOwn()
    {
        var folder = Path.Combine(run.Path, "plots");
        Directory.CreateDirectory(folder);
        variables["folder"] = folder;
        variables["svg"] = Path.Combine(run.Path, "pca.svg");
        variables["stretched"] = Path.Combine(run.Path, "stretched.png");
        variables["equal"] = Path.Combine(run.Path, "equal.png");
        variables["square"] = Path.Combine(run.Path, "square.png");
        var result = shell.Invoke("""
            $pca = Import-Checkpoint $pattern | Get-TrajectoryPCA
            $plane = $pca | Get-LossSurface -Steps 5 -MaxSamples 50
            $random = Import-Checkpoint ([System.IO.Path]::Combine($dir, 'epoch-004.dat')) | Get-LossSurface -Steps 5 -MaxSamples 50
            $plane | Export-LandscapePlot -Path $folder -Trajectory $pca -PassThru
            $random | Export-LandscapePlot -Path $folder -PassThru
            $plane | Export-LandscapePlot -Path $svg -Trajectory $pca -PassThru
            $plane | Export-LandscapePlot -Path $stretched -Trajectory $pca -EqualAspect:$false -PassThru
            $pca.ExplainedVarianceRatio -join ','
            $plane | Export-LandscapePlot -Path $equal -Trajectory $pca -EqualAspect -PassThru
            ($plane.X[-1] - $plane.X[0]) / ($plane.Y[-1] - $plane.Y[0])
            $pca | Get-LossSurface -Steps 5 -MaxSamples 50 -Range -1, 1 | Export-LandscapePlot -Path $square -Trajectory $pca -PassThru
            """, variables).ShouldSucceed();

        var (pcaPlot, randomPlot) = ((FileInfo)result.Output[0].BaseObject, (FileInfo)result.Output[1].BaseObject);
        Assert.Equal("DigitsCnn-epoch004-pca-2d-lines.png", pcaPlot.Name);
        Assert.Equal("DigitsCnn-epoch004-2d-lines.png", randomPlot.Name);
        Assert.Matches("^[A-Za-z0-9._-]+$", pcaPlot.Name);

        var ratios = result.Output[4].ToString().Split(',').Select(r => double.Parse(r, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var svg = File.ReadAllText(((FileInfo)result.Output[2].BaseObject).FullName);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"PC1 ({ratios[0] * 100:F1} %)"), svg);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"PC2 ({ratios[1] * 100:F1} %)"), svg);
        Assert.DoesNotMatch(@">\s*α\s*</text>", svg);

        // Equal units trim the image to the figure: forced by -EqualAspect, and by default unless the plane's
        // ranges differ by more than a factor 5 (a strip), when the default fills 800 × 600 as -EqualAspect:$false does.
        var forced = PngSize(((FileInfo)result.Output[5].BaseObject).FullName);
        Assert.True(forced.Width < 800 || forced.Height < 600, $"{forced}");
        var rangeRatio = Convert.ToDouble(result.Output[6].BaseObject, System.Globalization.CultureInfo.InvariantCulture);
        var strip = rangeRatio is > 5 or < 1.0 / 5;
        Assert.Equal(strip ? (800, 600) : forced, PngSize(pcaPlot.FullName));
        Assert.Equal((800, 600), PngSize(((FileInfo)result.Output[3].BaseObject).FullName));
        // A square PCA plane gets equal units by default: the image shrinks to a square data area.
        var square = PngSize(((FileInfo)result.Output[7].BaseObject).FullName);
        Assert.True(square.Width < 800 && square.Height == 600, $"{square}");
    }

    /// <summary>Width and height from a PNG's IHDR chunk (big-endian, right after the 8-byte signature and the chunk header).</summary>
    private static (int Width, int Height) PngSize(string path)
    {
        var header = File.ReadAllBytes(path).AsSpan(16, 8);
        return (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header[4..]));
    }

    [Fact]
    public void TooFewCheckpointsAndAForeignPlaneAreClearErrors()
    {
        var few = shell.Invoke("Import-Checkpoint ([System.IO.Path]::Combine($dir, 'epoch-00[01].dat')) | Get-TrajectoryPCA", variables);
        Assert.StartsWith("TrajectoryInvalid,", Assert.Single(few.Errors).FullyQualifiedErrorId);

        variables["png"] = Path.Combine(run.Path, "wrong.png");
        var wrongPlane = shell.Invoke("""
            $pca = Import-Checkpoint $pattern | Get-TrajectoryPCA
            Import-Checkpoint ([System.IO.Path]::Combine($dir, 'epoch-004.dat')) | Get-LossSurface -Steps 3 | Export-LandscapePlot -Path $png -Trajectory $pca
            """, variables);
        var error = Assert.Single(wrongPlane.Errors);
        Assert.StartsWith("PlotFailed,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("another plane", error.Exception.Message);
        Assert.False(File.Exists((string)variables["png"]!));
    }

    [Fact]
    public void AnOutFileHoldingTheSameComponentsIsKeptAndAnyOtherRefused()
    {
        variables["file"] = Path.Combine(run.Path, "pca-directions.h5");
        shell.Invoke("Import-Checkpoint $pattern | Get-TrajectoryPCA -OutFile $file | Out-Null", variables).ShouldSucceed();
        var before = (File.GetLastWriteTimeUtc((string)variables["file"]!), File.ReadAllBytes((string)variables["file"]!));
        Thread.Sleep(20);

        var again = shell.Invoke("Import-Checkpoint $pattern | Get-TrajectoryPCA -OutFile $file -Verbose", variables).ShouldSucceed();
        Assert.Single(again.Output);
        Assert.Contains(again.Verbose, v => v.Contains("already holds these principal components", StringComparison.Ordinal));
        Assert.Equal(before.Item1, File.GetLastWriteTimeUtc((string)variables["file"]!));

        // Another trajectory (the first three epochs only) gives other components: refused, and the file stays.
        var other = shell.Invoke("(Import-Checkpoint $pattern)[0..2] | Get-TrajectoryPCA -OutFile $file", variables);
        Assert.Empty(other.Output);
        Assert.StartsWith("OutputFileExists,", Assert.Single(other.Errors).FullyQualifiedErrorId);
        Assert.Equal(before.Item2, File.ReadAllBytes((string)variables["file"]!));
    }

    [Fact]
    public void ANullTrajectoryIsRefusedAtBindingAndNothingIsDrawn()
    {
        variables["png"] = Path.Combine(run.Path, "null.png");

        var result = shell.Invoke("try { Import-Checkpoint ([System.IO.Path]::Combine($dir, 'epoch-004.dat')) | Get-LossSurface -Steps 3 -MaxSamples 50 | Export-LandscapePlot -Path $png -Trajectory $null -ErrorAction SilentlyContinue } catch { $_ }", variables).ShouldSucceed();

        var error = Assert.IsType<ErrorRecord>(Assert.Single(result.Output).BaseObject);
        Assert.StartsWith("ParameterArgumentValidationError,LossLandscape.PowerShell.Commands.ExportLandscapePlotCommand", error.FullyQualifiedErrorId);
        Assert.Contains("parameter 'Trajectory'", error.Exception.Message);
        Assert.False(File.Exists((string)variables["png"]!));
    }

    [Fact]
    public void ExplainedVarianceIsDeterministic()
    {
        var first = shell.Invoke("(Import-Checkpoint $pattern | Get-TrajectoryPCA).Direction.Sha256 -join ','", variables).ShouldSucceed().Output[0].ToString();
        var second = shell.Invoke("(Import-Checkpoint $pattern | Get-TrajectoryPCA).Direction.Sha256 -join ','", variables).ShouldSucceed().Output[0].ToString();
        Assert.Equal(first, second);
    }
}
