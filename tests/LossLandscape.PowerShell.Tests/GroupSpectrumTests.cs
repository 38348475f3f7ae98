using System.Buffers.Binary;
using System.Management.Automation;

namespace LossLandscape.PowerShell.Tests;

/// <summary>Get-HessianSpectrum -GroupBy -GroupSpectrum and its bars, on a small DigitsCnn (layers conv1, conv2, conv3, linear).</summary>
public sealed class GroupSpectrumTests : IClassFixture<ModuleRunspace>, IDisposable
{
    private readonly ModuleRunspace shell;
    private readonly TempDirectory run = new();
    private readonly Dictionary<string, object?> variables;

    public GroupSpectrumTests(ModuleRunspace shell)
    {
        this.shell = shell;
        shell.Invoke("Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 48 -Seed 2 -OutputDirectory $dir", new Dictionary<string, object?> { ["dir"] = run.Path }).ShouldSucceed();
        variables = new Dictionary<string, object?> { ["ckpt"] = Path.Combine(run.Path, "epoch-001.dat"), ["dir"] = run.Path };
    }

    public void Dispose() => run.Dispose();

    [Fact]
    public void AGroupsLambdaMaxIsThatOfTheHessianOverItsParametersAloneAndItsCostIsStated()
    {
        var result = shell.Invoke("""
            $c = Import-Checkpoint $ckpt
            $c | Get-HessianSpectrum -GroupBy Layer -Probes 4 -MaxSamples 24 -Float64 -Seed 3
            $c | Get-HessianSpectrum -GroupBy Layer -GroupSpectrum -Probes 4 -MaxSamples 24 -Float64 -Seed 3 -Verbose
            $c | Get-HessianSpectrum -Parameter 'conv2.weight' -MaxSamples 24 -Float64 -Seed 3
            """, variables).ShouldSucceed();

        Assert.Equal(3, result.Output.Count);
        var (plain, grouped, subset) = (result.Output[0], result.Output[1], result.Output[2]);
        var groups = Groups(grouped);
        Assert.Equal(["conv1", "conv2", "conv3", "linear"], groups.Select(g => (string)g.Properties["Group"].Value));
        Assert.All(groups, g => Assert.True((bool?)g.Properties["Converged"].Value));
        // The diagonal block of conv2 is the Hessian over conv2's weights with the rest held fixed: -Parameter computes it another way.
        var conv2 = (double)groups[1].Properties["MaxEigenvalue"].Value;
        var alone = ((double[])subset.Properties["TopEigenvalues"].Value)[0];
        Assert.Equal(alone, conv2, 1e-6 * Math.Abs(alone));
        Assert.True(conv2 < ((double[])grouped.Properties["TopEigenvalues"].Value)[0]);
        // The same probes: the free trace shares do not change; the groups' Lanczos runs are all the extra cost.
        Assert.Equal(Groups(plain).Select(g => (double)g.Properties["Trace"].Value), groups.Select(g => (double)g.Properties["Trace"].Value));
        Assert.Null(Groups(plain)[0].Properties["MaxEigenvalue"].Value);
        var extra = groups.Sum(g => (int)g.Properties["HessianVectorProducts"].Value);
        Assert.Equal((long)plain.Properties["HessianVectorProducts"].Value + extra, (long)grouped.Properties["HessianVectorProducts"].Value);
        Assert.Contains(result.Verbose, v => v.Contains($"took {extra} of the {grouped.Properties["HessianVectorProducts"].Value} Hessian-vector products", StringComparison.Ordinal));
        Assert.Contains(result.Verbose, v => v.StartsWith("-GroupSpectrum: a Lanczos run per group", StringComparison.Ordinal));
        Assert.Contains("conv2: trace", groups[1].ToString());
    }

    [Fact]
    public void ASpectrumWithGroupsIsDrawnAsBarsAndOneWithoutIsRefused()
    {
        var result = shell.Invoke("""
            $c = Import-Checkpoint $ckpt
            $c | Get-HessianSpectrum -GroupBy Layer -GroupSpectrum -Probes 4 -MaxSamples 24 -Tolerance 1e-3 | Export-LandscapePlot -Path $dir -Height 500 -PassThru
            """, variables).ShouldSucceed();
        var file = (FileInfo)Assert.Single(result.Output).BaseObject;
        Assert.Equal("DigitsCnn-epoch001-hessian-groups.png", file.Name);
        var header = File.ReadAllBytes(file.FullName).AsSpan(0, 24);
        Assert.Equal(800, BinaryPrimitives.ReadInt32BigEndian(header[16..]));
        Assert.Equal(500, BinaryPrimitives.ReadInt32BigEndian(header[20..]));

        var ungrouped = shell.Invoke("Import-Checkpoint $ckpt | Get-HessianSpectrum -MaxSamples 24 -Tolerance 1e-3 | Export-LandscapePlot -Path $none",
            new Dictionary<string, object?>(variables) { ["none"] = Path.Combine(run.Path, "none.png") });
        var error = Assert.Single(ungrouped.Errors);
        Assert.StartsWith("PlotFailed,", error.FullyQualifiedErrorId);
        Assert.Contains("-GroupBy", error.Exception.Message);
        Assert.False(File.Exists(Path.Combine(run.Path, "none.png")));
    }

    [Fact]
    public void ASpectrumPerGroupWithoutGroupsIsCurvatureInvalidBeforeAnyWork()
    {
        var result = shell.Invoke("Import-Checkpoint $ckpt | Get-HessianSpectrum -GroupSpectrum -MaxSamples 24", variables);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("CurvatureInvalid,", error.FullyQualifiedErrorId);
        Assert.Contains("GroupBy", error.Exception.Message);
        Assert.Empty(result.Output);
        Assert.Empty(result.Progress);
    }

    private static PSObject[] Groups(PSObject spectrum) => ((object[])spectrum.Properties["Groups"].Value).Select(PSObject.AsPSObject).ToArray();
}
