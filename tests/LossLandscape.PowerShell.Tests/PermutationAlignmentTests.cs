using System.Management.Automation;

namespace LossLandscape.PowerShell.Tests;

/// <summary>Get-PermutationAlignment on two DigitsCnn runs of different seeds, an Mlp and a TorchScript model.</summary>
public sealed class PermutationAlignmentTests : IClassFixture<ModuleRunspace>, IDisposable
{
    private static readonly string TorchScriptFixture = Path.Combine(ModuleRunspace.RepoRoot, "tests", "LossLandscape.Core.Tests", "Fixtures", "TorchScript", "gated_cnn.pt");
    private readonly ModuleRunspace shell;
    private readonly TempDirectory run = new();
    private readonly Dictionary<string, object?> variables;

    public PermutationAlignmentTests(ModuleRunspace shell)
    {
        this.shell = shell;
        variables = new Dictionary<string, object?>
        {
            ["a"] = run.Combine("a", "epoch-001.dat"),
            ["b"] = run.Combine("b", "epoch-001.dat"),
            ["mlp"] = run.Combine("mlp", "epoch-001.dat"),
            ["dir"] = run.Path,
        };
        shell.Invoke("""
            Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 100 -Seed 1 -OutputDirectory $dir/a | Out-Null
            Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 100 -Seed 2 -OutputDirectory $dir/b | Out-Null
            Invoke-LandscapeTraining -Model Mlp -Epochs 1 -MaxSamples 64 -Seed 3 -OutputDirectory $dir/mlp | Out-Null
            """, variables).ShouldSucceed();
    }

    public void Dispose() => run.Dispose();

    [Fact]
    public void APermutedCopyAlignsBackToTheOriginalWeightsByteForByte()
    {
        // b aligned to a is a permuted copy of b; aligning that copy to b must undo every permutation.
        var result = shell.Invoke("""
            $a = Import-Checkpoint $a; $b = Import-Checkpoint $b
            $permuted = $b | Get-PermutationAlignment -Reference $a -Seed 5 -OutFile $dir/permuted.dat
            $back = $permuted.Checkpoint | Get-PermutationAlignment -Reference $b -Seed 6 -OutFile $dir/back
            $permuted; $back; $b
            """, variables).ShouldSucceed();

        var (permuted, back, original) = (result.Output[0], result.Output[1], result.Output[2]);
        Assert.True((int)permuted.Properties["UnitsMoved"].Value > 0);
        Assert.Equal(80, (int)permuted.Properties["UnitCount"].Value);
        Assert.True((double)permuted.Properties["ObjectiveAfter"].Value > (double)permuted.Properties["ObjectiveBefore"].Value);
        Assert.True((bool)back.Properties["Converged"].Value);
        Assert.Equal(permuted.Properties["UnitsMoved"].Value, back.Properties["UnitsMoved"].Value);
        var aligned = PSObject.AsPSObject(back.Properties["Checkpoint"].Value);
        Assert.Equal(run.Combine("back.dat"), aligned.Properties["Path"].Value);
        Assert.Equal(run.Combine("back.dat"), back.Properties["Path"].Value);
        Assert.Equal(original.Properties["Sha256"].Value, aligned.Properties["Sha256"].Value);
        Assert.Equal(File.ReadAllBytes((string)variables["b"]!), File.ReadAllBytes(run.Combine("back.dat")));
        Assert.NotEqual(original.Properties["Sha256"].Value, PSObject.AsPSObject(permuted.Properties["Checkpoint"].Value).Properties["Sha256"].Value);

        Assert.Contains(result.Progress, p => p.StatusDescription == "Sweep 1 (at most 100): 1 group(s) matched");
        Assert.Contains(result.Progress, p => p.RecordType == ProgressRecordType.Completed);

        var groups = ((object[])permuted.Properties["Groups"].Value).Select(PSObject.AsPSObject).ToArray();
        Assert.Equal(["conv1", "conv2", "conv3"], groups.Select(g => (string)g.Properties["Group"].Value));
        Assert.Equal([16, 32, 32], groups.Select(g => (int)g.Properties["Size"].Value));
        // Moved counts the units off their place in each group's permutation.
        Assert.All(groups, g => Assert.Equal(((int[])g.Properties["Permutation"].Value).Where((source, unit) => source != unit).Count(), (int)g.Properties["Moved"].Value));
    }

    [Fact]
    public void AnExistingOutFileIsKeptWithoutForceAndWhatIfWritesNothing()
    {
        File.WriteAllText(run.Combine("taken.json"), "earlier");
        var refused = shell.Invoke("Import-Checkpoint $b | Get-PermutationAlignment -Reference (Import-Checkpoint $a) -OutFile $dir/taken.dat", variables);
        Assert.StartsWith("OutputFileExists,", Assert.Single(refused.Errors).FullyQualifiedErrorId);
        Assert.Empty(refused.Output);
        Assert.Equal("earlier", File.ReadAllText(run.Combine("taken.json")));

        // A rerun finds its own aligned checkpoint and keeps it; the same file asked for another alignment is refused.
        shell.Invoke("Import-Checkpoint $b | Get-PermutationAlignment -Reference (Import-Checkpoint $a) -Seed 3 -OutFile $dir/kept.dat", variables).ShouldSucceed();
        var written = File.GetLastWriteTimeUtc(run.Combine("kept.dat"));
        var rerun = shell.Invoke("Import-Checkpoint $b | Get-PermutationAlignment -Reference (Import-Checkpoint $a) -Seed 3 -OutFile $dir/kept.dat", variables).ShouldSucceed();
        Assert.Equal(written, File.GetLastWriteTimeUtc(run.Combine("kept.dat")));
        Assert.NotNull(Assert.Single(rerun.Output).Properties["Checkpoint"].Value);
        var other = shell.Invoke("Import-Checkpoint $a | Get-PermutationAlignment -Reference (Import-Checkpoint $b) -OutFile $dir/kept.dat", variables);
        Assert.StartsWith("OutputFileExists,", Assert.Single(other.Errors).FullyQualifiedErrorId);

        var whatIf = shell.Invoke("Import-Checkpoint $b | Get-PermutationAlignment -Reference (Import-Checkpoint $a) -OutFile $dir/new.dat -WhatIf", variables).ShouldSucceed();
        Assert.Empty(whatIf.Output);
        Assert.False(File.Exists(run.Combine("new.dat")));
    }

    [Fact]
    public void TwoDifferentArchitecturesAreRefusedAndTheNextCheckpointIsStillAligned()
    {
        var result = shell.Invoke("Import-Checkpoint $mlp, $b | Get-PermutationAlignment -Reference (Import-Checkpoint $a)", variables);

        Assert.Null(result.Terminating);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("AlignmentArchitectureMismatch,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("Mlp", error.Exception.Message);
        Assert.Contains("DigitsCnn", error.Exception.Message);
        Assert.Equal("epoch-001", PSObject.AsPSObject(Assert.Single(result.Output).Properties["Target"].Value).Properties["Name"].Value);
    }

    [Fact]
    public void ATorchScriptCheckpointIsRefused()
    {
        var childShell = Path.Combine(ModuleRunspace.RepoRoot, "src", "LossLandscape.Shell", "bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "losslandscape.dll");
        shell.Invoke(
            $"$runtime = {ModuleRunspace.ModuleType("LossLandscape.Core", "LossLandscape.Core.Native.LandscapeRuntime")}::Load(); " +
            $"$vetter = {ModuleRunspace.ModuleType("LossLandscape.Core", "LossLandscape.Core.Checkpoints.TorchScriptVetter")}; " +
            "if ($null -eq $runtime.TorchScriptVetter.ChildCommand) { $runtime.TorchScriptVetter.ChildCommand = [string[]]@('dotnet', $childShell, '-Module', $manifest, '-CommandWithArgs', $vetter::ChildScript, $manifest) }",
            new Dictionary<string, object?> { ["childShell"] = childShell, ["manifest"] = ModuleRunspace.ManifestPath }).ShouldSucceed();
        variables["script"] = TorchScriptFixture;

        var result = shell.Invoke("Import-Checkpoint $script | Get-PermutationAlignment -Reference (Import-Checkpoint $script)", variables);

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("AlignmentUnsupportedModel,", error.FullyQualifiedErrorId);
        Assert.Contains("TorchScript", error.Exception.Message);
        Assert.Empty(result.Output);
    }
}
