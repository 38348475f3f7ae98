namespace LossLandscape.PowerShell.Tests;

/// <summary>Any PyTorch model, through TorchScript: a gated CNN that is not in the zoo, written by real PyTorch.</summary>
public sealed class TorchScriptTests(ModuleRunspace shell) : IClassFixture<ModuleRunspace>, IDisposable
{
    private static readonly string Fixture = Path.Combine(ModuleRunspace.RepoRoot, "tests", "LossLandscape.Core.Tests", "Fixtures", "TorchScript", "gated_cnn.pt");
    private readonly TempDirectory output = new();

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
