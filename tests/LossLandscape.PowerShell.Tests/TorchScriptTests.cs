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
