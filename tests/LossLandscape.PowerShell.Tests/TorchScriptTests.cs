namespace LossLandscape.PowerShell.Tests;

/// <summary>Any PyTorch model, through TorchScript: a gated CNN that is not in the zoo, written by real PyTorch.</summary>
public sealed class TorchScriptTests : IClassFixture<ModuleRunspace>, IDisposable
{
    private static readonly string Fixture = Path.Combine(ModuleRunspace.RepoRoot, "tests", "LossLandscape.Core.Tests", "Fixtures", "TorchScript", "gated_cnn.pt");
    private readonly TempDirectory output = new();
    private readonly ModuleRunspace shell;

    /// <summary>The test host is neither the shell nor pwsh: name the built shell as the child that loads each TorchScript file first.</summary>
    public TorchScriptTests(ModuleRunspace shell)
    {
        this.shell = shell;
        var childShell = Path.Combine(ModuleRunspace.RepoRoot, "src", "LossLandscape.Shell", "bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "losslandscape.dll");
        shell.Invoke(
            $"$runtime = {ModuleRunspace.ModuleType("LossLandscape.Core", "LossLandscape.Core.Native.LandscapeRuntime")}::Load(); " +
            $"$vetter = {ModuleRunspace.ModuleType("LossLandscape.Core", "LossLandscape.Core.Checkpoints.TorchScriptVetter")}; " +
            "if ($null -eq $runtime.TorchScriptVetter.ChildCommand) { $runtime.TorchScriptVetter.ChildCommand = [string[]]@('dotnet', $childShell, '-Module', $manifest, '-CommandWithArgs', $vetter::ChildScript, $manifest) }",
            new Dictionary<string, object?> { ["childShell"] = childShell, ["manifest"] = ModuleRunspace.ManifestPath }).ShouldSucceed();
    }

    public void Dispose() => output.Dispose();

    [Fact]
    public void ATorchScriptModelOutsideTheZooGoesThroughTheWholePipeline()
    {
        var result = shell.Invoke("Import-Checkpoint $model | Get-LossSurface -Steps 5 -Dataset Digits | Export-LandscapePlot -Path $dir -PassThru",
            new Dictionary<string, object?> { ["model"] = Fixture, ["dir"] = output.Path }).ShouldSucceed();

        var png = Assert.Single(result.Output);
        Assert.Equal("TorchScript-2d-lines.png", ((FileInfo)png.BaseObject).Name);
        Assert.True(((FileInfo)png.BaseObject).Length > 10_000);
    }

    /// <summary>
    /// The fixture GPT-2 twice: as TorchScript (PyTorch's own graph) and as a Hugging Face folder read
    /// into the zoo's Gpt. The same seed and -Parameter 'h.0.*' give both the same direction (GPT-2's
    /// names decide the units), so the losses along the line agree point for point on nanoGPT-style
    /// token windows, and a plot is drawn.
    /// </summary>
    [Fact]
    public void TheGpt2AsTorchScriptGoesThroughThePipelineAndAgreesWithItsHuggingFaceFolderAlongABlockZeroLine()
    {
        var gpt = Path.Combine(ModuleRunspace.RepoRoot, "tests", "LossLandscape.Core.Tests", "Fixtures", "Gpt");
        var result = shell.Invoke("""
            $tokens = Get-LandscapeDataset -LiteralPath $windows -Format TokenBin -ContextLength 16 -VocabularySize 256 -MaxSamples 24
            $script = Import-Checkpoint $model | Get-LossSurface -Dimensions 1 -Steps 5 -Dataset $tokens -Parameter 'h.0.*' -Seed 4
            $zoo = Import-Checkpoint -LiteralPath $folder | Get-LossSurface -Dimensions 1 -Steps 5 -Dataset $tokens -Parameter 'h.0.*' -Seed 4
            $script, $zoo
            $script | Export-LandscapePlot -Path $dir -PassThru
            """, new Dictionary<string, object?>
        {
            ["model"] = Path.Combine(gpt, "gpt.torchscript.pt"), ["folder"] = Path.Combine(gpt, "hf-f32"), ["windows"] = Path.Combine(gpt, "tokens"), ["dir"] = output.Path,
        }).ShouldSucceed();

        Assert.Equal(3, result.Output.Count);
        var (script, zoo) = (result.Output[0], result.Output[1]);
        var scriptLoss = (double[])script.Properties["TrainLoss"].Value;
        var zooLoss = (double[])zoo.Properties["TrainLoss"].Value;
        Assert.Equal(5, scriptLoss.Length);
        for (var i = 0; i < 5; i++) Assert.Equal(scriptLoss[i], zooLoss[i], 1e-5 * Math.Max(1, Math.Abs(scriptLoss[i])));
        // The line leaves θ*: the ends differ from the middle, so the comparison saw the perturbed block.
        Assert.True(Math.Abs(scriptLoss[0] - scriptLoss[2]) > 1e-3);
        Assert.Equal("TorchScript-1d.png", ((FileInfo)result.Output[2].BaseObject).Name);
    }

    [Fact]
    public void ImportDescribesTheScriptedModel()
    {
        var checkpoint = Assert.Single(shell.Invoke("Import-Checkpoint $model", new Dictionary<string, object?> { ["model"] = Fixture }).ShouldSucceed().Output);
        Assert.Equal("TorchScript", checkpoint.Properties["Architecture"].Value);
        Assert.Equal("TorchScript", checkpoint.Properties["Format"].Value);
        Assert.Equal(1979L, checkpoint.Properties["ParameterCount"].Value);
    }

    [Fact]
    public void WithoutADataSetTheSurfaceIsAClearError()
    {
        var result = shell.Invoke("Import-Checkpoint $model | Get-LossSurface -Steps 3", new Dictionary<string, object?> { ["model"] = Fixture });
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("SurfaceArgumentInvalid,", error.FullyQualifiedErrorId);
        Assert.Contains("-Dataset", error.Exception.Message);
    }
}
