using System.Management.Automation;

namespace LossLandscape.PowerShell.Tests;

/// <summary>What every cmdlet promises: declared output, -WhatIf/-Confirm/-Force where it writes, completion, progress, -Verbose.</summary>
public sealed class CmdletContractTests : IClassFixture<ModuleRunspace>, IDisposable
{
    private readonly ModuleRunspace shell;
    private readonly TempDirectory run = new();
    private readonly Dictionary<string, object?> variables;

    public CmdletContractTests(ModuleRunspace shell)
    {
        this.shell = shell;
        shell.Invoke("Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 200 -Seed 3 -OutputDirectory $dir", new Dictionary<string, object?> { ["dir"] = run.Path }).ShouldSucceed();
        variables = new Dictionary<string, object?> { ["ckpt"] = Path.Combine(run.Path, "epoch-001.dat"), ["dir"] = run.Path };
    }

    public void Dispose() => run.Dispose();

    [Fact]
    public void EveryCmdletDeclaresItsOutputType()
    {
        var rows = shell.Invoke("Get-Command -Module LossLandscape | ForEach-Object { '{0}={1}' -f $_.Name, ($_.OutputType.Name -join ',') }").ShouldSucceed().Output.Select(o => o.ToString()).ToArray();
        Assert.True(rows.Length >= 16, $"only {rows.Length} cmdlets");
        Assert.All(rows, row => Assert.False(row.EndsWith('='), $"{row[..^1]} has no [OutputType]"));
    }

    /// <summary>
    /// The rule: a cmdlet writes files when it has -OutFile or -OutputDirectory, or is an Export- cmdlet
    /// (its -Path is written). Each such cmdlet supports -WhatIf and -Confirm (SupportsShouldProcess)
    /// and has -Force (Invoke-LandscapeTraining: -Restart, alias -Force, discards the earlier run).
    /// </summary>
    [Fact]
    public void EveryCmdletThatWritesFilesSupportsWhatIfConfirmAndForce()
    {
        var rows = shell.Invoke("""
            Get-Command -Module LossLandscape | ForEach-Object {
                $p = $_.Parameters
                $writes = $p.ContainsKey('OutFile') -or $p.ContainsKey('OutputDirectory') -or $_.Verb -eq 'Export'
                $force = $p.ContainsKey('Force') -or @($p.Values | Where-Object { $_.Aliases -contains 'Force' }).Count -gt 0
                '{0}|{1}|{2}|{3}|{4}' -f $_.Name, $writes, $p.ContainsKey('WhatIf'), $p.ContainsKey('Confirm'), $force
            }
            """).ShouldSucceed().Output.Select(o => o.ToString().Split('|')).ToArray();
        var writers = rows.Where(r => r[1] == "True").ToArray();
        Assert.Superset(new HashSet<string> { "Export-Checkpoint", "Export-LandscapePlot", "Export-TrajectoryPCA", "Get-HessianSpectrum", "Get-LossSurface", "Get-TrajectoryPCA", "Invoke-LandscapeTraining", "New-LandscapeDirection" }, writers.Select(r => r[0]).ToHashSet());
        Assert.All(writers, r => Assert.True(r[2..] is ["True", "True", "True"], $"{r[0]}: WhatIf {r[2]}, Confirm {r[3]}, Force {r[4]}"));
    }

    [Fact]
    public void CmdletsWithSeveralParameterSetsNameThemAndDefaultToOne()
    {
        var rows = shell.Invoke("Get-Command -Module LossLandscape | Where-Object { $_.ParameterSets.Count -gt 1 } | ForEach-Object { '{0}|{1}|{2}' -f $_.Name, $_.DefaultParameterSet, ($_.ParameterSets.Name -join ',') }").ShouldSucceed().Output.Select(o => o.ToString().Split('|')).ToArray();
        Assert.NotEmpty(rows);
        Assert.All(rows, r =>
        {
            Assert.False(string.IsNullOrEmpty(r[1]), $"{r[0]} has no default parameter set");
            Assert.DoesNotContain("__AllParameterSets", r[2].Split(','));
        });
    }

    [Fact]
    public void HessianOutFileIsNotOverwrittenWithoutForceAndWhatIfComputesNothing()
    {
        variables["eigen"] = Path.Combine(run.Path, "eigen.h5");
        File.WriteAllText((string)variables["eigen"]!, "earlier result");

        var refused = shell.Invoke("Import-Checkpoint $ckpt | Get-HessianSpectrum -MaxSamples 20 -OutFile $eigen", variables);
        Assert.Equal("OutputFileExists,LossLandscape.PowerShell.Commands.GetHessianSpectrumCommand", Assert.Single(refused.Errors).FullyQualifiedErrorId);
        Assert.Equal("earlier result", File.ReadAllText((string)variables["eigen"]!));

        var whatIf = shell.Invoke("Import-Checkpoint $ckpt | Get-HessianSpectrum -MaxSamples 20 -OutFile $eigen -Force -WhatIf", variables).ShouldSucceed();
        Assert.Empty(whatIf.Output);
        Assert.Equal("earlier result", File.ReadAllText((string)variables["eigen"]!));

        var forced = shell.Invoke("Import-Checkpoint $ckpt | Get-HessianSpectrum -MaxSamples 20 -OutFile $eigen -Force", variables).ShouldSucceed();
        Assert.Single(forced.Output);
        Assert.NotEqual("earlier result", File.ReadAllText((string)variables["eigen"]!));
    }

    [Theory]
    [InlineData("Get-LossSurface -Metric ", "Loss,Curvature")]
    [InlineData("Get-LossSurface -Normalization ", "Filter,Layer,Weight,None")]
    [InlineData("New-LandscapeDirection -Normalization ", "Filter,Layer,Weight,None")]
    [InlineData("Get-LossSurface -Split ", "Train,Test,Both")]
    [InlineData("Get-LossSurface -Dataset ", "Digits,SyntheticCifar,SyntheticPatterns,ModularArithmetic")]
    [InlineData("Invoke-LandscapeTraining -Dataset Dig", "Digits")]
    [InlineData("Invoke-LandscapeTraining -Model ResNet2", "ResNet20")]
    [InlineData("Get-LandscapeModel -Name Vgg", "Vgg9")]
    [InlineData("Get-HessianSpectrum -Device c", "cpu,cuda,cuda:0")]
    [InlineData("Invoke-LandscapeTraining -Optimizer ", "Sgd,Adam")]
    [InlineData("Export-LandscapePlot -Style ", "Lines,Filled,Heatmap,Surface3D")]
    public void TabCompletionOffersTheValues(string line, string expected)
    {
        var matches = shell.Invoke("(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText", new Dictionary<string, object?> { ["line"] = line }).ShouldSucceed();
        Assert.Equal(expected.Split(',').Order(StringComparer.Ordinal), matches.Output.Select(o => o.ToString()).Where(expected.Split(',').Contains).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void SurfaceProgressHasAnEtaAndEndsCompletedAndVerboseSaysWhereAndOnWhat()
    {
        variables["h5"] = Path.Combine(run.Path, "progress.h5");
        var result = shell.Invoke("Import-Checkpoint $ckpt | Get-LossSurface -Steps 6 -ThrottleLimit 1 -MaxSamples 100 -SubsetSeed 4 -Seed 17 -OutFile $h5 -Verbose", variables).ShouldSucceed();
        var surface = Assert.Single(result.Output);

        var records = result.Progress.Where(p => p.Activity == "Loss surface").ToList();
        var running = records.Where(p => p.RecordType == ProgressRecordType.Processing).ToList();
        Assert.NotEmpty(running);
        Assert.All(running, p => Assert.True(p.SecondsRemaining >= 0, $"'{p.StatusDescription}' has no ETA ({p.SecondsRemaining})"));
        Assert.StartsWith("Point 36/36", running[^1].StatusDescription, StringComparison.Ordinal);
        Assert.Equal(ProgressRecordType.Completed, records[^1].RecordType);
        // Throttled: at most one record per 200 ms, plus the first and the last.
        var elapsed = (TimeSpan)surface.Properties["Elapsed"].Value;
        Assert.True(running.Count <= 2 + (int)(elapsed.TotalMilliseconds / 200), $"{running.Count} records in {elapsed.TotalMilliseconds} ms");

        var verbose = string.Join("\n", result.Verbose);
        Assert.Contains("Device cpu; ", verbose, StringComparison.Ordinal);
        Assert.Contains("1 worker(s) × 1 thread(s)", verbose, StringComparison.Ordinal);
        Assert.Contains("random seed 17 axis x", verbose, StringComparison.Ordinal);
        Assert.Contains("Digits/Train (≤100 samples, seed 4) (100 samples)", verbose, StringComparison.Ordinal);
        Assert.Contains($"; file {variables["h5"]}", verbose, StringComparison.Ordinal);
    }
}
