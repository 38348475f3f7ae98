using System.Management.Automation;

namespace LossLandscape.PowerShell.Tests;

/// <summary>-Parameter through the cmdlets, on a small DigitsCnn (first layer conv1.weight: 16×1×3×3 = 144 values).</summary>
public sealed class ParameterSubsetTests : IClassFixture<ModuleRunspace>, IDisposable
{
    private readonly ModuleRunspace shell;
    private readonly TempDirectory run = new();
    private readonly Dictionary<string, object?> variables;

    public ParameterSubsetTests(ModuleRunspace shell)
    {
        this.shell = shell;
        shell.Invoke("Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 48 -Seed 2 -OutputDirectory $dir", new Dictionary<string, object?> { ["dir"] = run.Path }).ShouldSucceed();
        variables = new Dictionary<string, object?> { ["ckpt"] = Path.Combine(run.Path, "epoch-001.dat"), ["file"] = Path.Combine(run.Path, "conv1.h5") };
    }

    public void Dispose() => run.Dispose();

    [Fact]
    public void ADirectionFileRecordsTheSubsetAndImportLandscapeDirectionReadsItBack()
    {
        var made = shell.Invoke("Import-Checkpoint $ckpt | New-LandscapeDirection -Parameter 'conv1.*', '*.bias' -IgnoreBiasAndNorm:$false -Dimensions 1 -OutFile $file", variables).ShouldSucceed();
        var read = shell.Invoke("Import-LandscapeDirection -Path $file -Checkpoint (Import-Checkpoint $ckpt)", variables).ShouldSucceed();

        var original = Assert.Single(made.Output);
        var imported = Assert.Single(read.Output);
        Assert.Equal(["conv1.*", "*.bias"], (string[])imported.Properties["Parameter"].Value);
        Assert.Equal(original.Properties["Sha256"].Value, imported.Properties["Sha256"].Value);
        Assert.Contains("parameters 'conv1.*', '*.bias'", imported.ToString());
        // A direction without -Parameter moves everything and says so by having none.
        var whole = shell.Invoke("Import-Checkpoint $ckpt | New-LandscapeDirection -Dimensions 1", variables).ShouldSucceed();
        Assert.Null(Assert.Single(whole.Output).Properties["Parameter"].Value);
    }

    [Fact]
    public void APatternThatMatchesNoParameterIsParameterNotMatchedInEveryCommand()
    {
        foreach (var command in new[]
        {
            "New-LandscapeDirection -Parameter 'conv1.*', 'layer3.*'",
            "Get-LossSurface -Parameter 'layer3.*' -Steps 3 -MaxSamples 12",
            "Get-HessianSpectrum -Parameter 'layer3.*' -MaxSamples 12",
            "Get-LandscapeSharpness -Parameter 'layer3.*' -MaxSamples 12 -Samples 2 -Iterations 2 -Restarts 1",
        })
        {
            var result = shell.Invoke($"Import-Checkpoint $ckpt | {command}", variables);
            Assert.Null(result.Terminating);
            var error = Assert.Single(result.Errors);
            Assert.StartsWith("ParameterNotMatched,", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.Equal("layer3.*", error.TargetObject);
            Assert.Contains("conv1.weight", error.Exception.Message);
            Assert.Empty(result.Output);
        }
    }

    [Fact]
    public void TheHessianAndTheSharpnessMeasuresWorkOnTheSubsetOnly()
    {
        var hessian = shell.Invoke("Import-Checkpoint $ckpt | Get-HessianSpectrum -Parameter 'conv1.*' -MaxSamples 24", variables).ShouldSucceed();
        Assert.Equal(144, (int)Assert.Single(hessian.Output).Properties["Dimension"].Value);
        var sharpness = shell.Invoke("Import-Checkpoint $ckpt | Get-LandscapeSharpness -Parameter 'conv1.*' -MaxSamples 24 -BatchSize 12 -Samples 2 -Iterations 2 -Restarts 1", variables).ShouldSucceed();
        Assert.Equal(144L, (long)Assert.Single(sharpness.Output).Properties["Dimension"].Value);
    }

    [Fact]
    public void GroupByLayerSplitsTheTraceIntoSharesThatAddUpToIt()
    {
        var result = shell.Invoke("Import-Checkpoint $ckpt | Get-HessianSpectrum -GroupBy Layer -Probes 4 -MaxSamples 24", variables).ShouldSucceed();
        var spectrum = Assert.Single(result.Output);
        var trace = (double)spectrum.Properties["Trace"].Value;
        var groups = ((object[])spectrum.Properties["Groups"].Value).Select(PSObject.AsPSObject).ToArray();
        Assert.Equal(["conv1", "conv2", "conv3", "linear"], groups.Select(g => (string)g.Properties["Group"].Value));
        Assert.Equal((int)spectrum.Properties["Dimension"].Value, groups.Sum(g => (int)g.Properties["Dimension"].Value));
        Assert.Equal(trace, groups.Sum(g => (double)g.Properties["Trace"].Value), 1e-10 * Math.Abs(trace));
    }

    [Fact]
    public void ASerializedSubsetDirectionKeepsItsSubsetAndAgreesWithTheSameParameterOnTheSurface()
    {
        var result = shell.Invoke("""
            $c = Import-Checkpoint $ckpt
            $d = $c | New-LandscapeDirection -Parameter 'conv1.*' -Dimensions 1
            $copy = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($d))
            $c | Get-LossSurface -Direction $copy -Parameter 'conv1.*' -Steps 3 -MaxSamples 12
            $c | Get-LossSurface -Direction $copy -Parameter 'conv2.*' -Steps 3 -MaxSamples 12
            """, variables);
        Assert.Single(result.Output);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("ParameterNotMatched,", error.FullyQualifiedErrorId);
        Assert.Contains("moves only 'conv1.*'", error.Exception.Message);
    }
}
