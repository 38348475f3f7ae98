using System.Buffers.Binary;

namespace LossLandscape.PowerShell.Tests;

/// <summary>Export-LandscapePlot -Layout Overlay (1D slices of several checkpoints on one axis) and -Sharpness (measurements against the training position).</summary>
public sealed class TrainingFigureTests : IClassFixture<ModuleRunspace>, IDisposable
{
    private readonly ModuleRunspace shell;
    private readonly TempDirectory run = new();
    private readonly Dictionary<string, object?> variables;

    public TrainingFigureTests(ModuleRunspace shell)
    {
        this.shell = shell;
        shell.Invoke("Invoke-LandscapeTraining -Model Mlp -Epochs 2 -MaxSamples 48 -Seed 2 -OutputDirectory $dir", new Dictionary<string, object?> { ["dir"] = run.Path }).ShouldSucceed();
        variables = new Dictionary<string, object?> { ["dir"] = run.Path, ["first"] = Path.Combine(run.Path, "epoch-001.dat"), ["last"] = Path.Combine(run.Path, "epoch-002.dat") };
    }

    public void Dispose() => run.Dispose();

    [Fact]
    public void SlicesOfSeveralCheckpointsAreDrawnInOneFigureAndAPlaneAmongThemIsRefused()
    {
        var result = shell.Invoke("""
            Import-Checkpoint $first, $last | Get-LossSurface -Dimensions 1 -Steps 5 -MaxSamples 24 -Split Both | Export-LandscapePlot -Layout Overlay -Path $dir -PassThru
            """, variables).ShouldSucceed();
        var file = (FileInfo)Assert.Single(result.Output).BaseObject;
        Assert.Equal("Mlp-1d-overlay.png", file.Name);
        var header = File.ReadAllBytes(file.FullName).AsSpan(0, 24);
        Assert.Equal(1000, BinaryPrimitives.ReadInt32BigEndian(header[16..]));
        Assert.Equal(480, BinaryPrimitives.ReadInt32BigEndian(header[20..]));

        var mixed = shell.Invoke("""
            $line = Import-Checkpoint $first | Get-LossSurface -Dimensions 1 -Steps 3 -MaxSamples 24
            $plane = Import-Checkpoint $last | Get-LossSurface -Steps 3 -MaxSamples 24
            $line, $plane | Export-LandscapePlot -Layout Overlay -Path $none -Label 'a', 'b'
            """, new Dictionary<string, object?>(variables) { ["none"] = Path.Combine(run.Path, "mixed.png") });
        var error = Assert.Single(mixed.Errors);
        Assert.StartsWith("PlotFailed,", error.FullyQualifiedErrorId);
        Assert.Contains("2D surface", error.Exception.Message);
        Assert.False(File.Exists(Path.Combine(run.Path, "mixed.png")));
    }

    [Fact]
    public void SharpnessOfSeveralCheckpointsIsDrawnAgainstTheirEpochAndMixedSettingsAreRefused()
    {
        var result = shell.Invoke("""
            Import-Checkpoint $first, $last | Get-LandscapeSharpness -Rho 0.01 -MaxEigenvalue -MaxSamples 24 -Samples 2 -Iterations 2 | Export-LandscapePlot -Path $dir -PassThru
            """, variables).ShouldSucceed();
        Assert.Equal("Mlp-sharpness.png", ((FileInfo)Assert.Single(result.Output).BaseObject).Name);

        var mixed = shell.Invoke("""
            $a = Import-Checkpoint $first | Get-LandscapeSharpness -Rho 0.01 -MaxSamples 24 -Samples 2 -Iterations 2
            $b = Import-Checkpoint $last | Get-LandscapeSharpness -Rho 0.02 -MaxSamples 24 -Samples 2 -Iterations 2
            $a, $b | Export-LandscapePlot -Path $none
            """, new Dictionary<string, object?>(variables) { ["none"] = Path.Combine(run.Path, "mixed-rho.png") });
        var error = Assert.Single(mixed.Errors);
        Assert.StartsWith("PlotFailed,", error.FullyQualifiedErrorId);
        Assert.Contains("ρ", error.Exception.Message);
        Assert.False(File.Exists(Path.Combine(run.Path, "mixed-rho.png")));
    }
}
