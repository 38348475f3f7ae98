using LossLandscape.Core.Checkpoints.Formats;

namespace LossLandscape.Core.Tests.Formats;

public sealed class PyTorchCheckpointWriterTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("losslandscape-pytorch-writer-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>Each fixture is read, written by our writer and read back; with the export folder
    /// set, the written file is left there for <c>make_fixtures.py verify-export</c>.</summary>
    [Theory]
    [InlineData("digits_plain.pt")]
    [InlineData("digits_half.pt")]
    [InlineData("digits_double.pt")]
    [InlineData("digits_bfloat16.pt")]
    [InlineData("digits_views.pt")]
    [InlineData("resnet20.pt")]
    public void WrittenCheckpointsReadBackIdentically(string fixture)
    {
        var state = PyTorchCheckpointReader.Read(FormatFixtures.PathOf(fixture)).State;
        var path = Path.Combine(FormatFixtures.ExportDirectory() ?? directory, $"{fixture}.export.pt");

        PyTorchCheckpointWriter.Write(path, state);
        var read = PyTorchCheckpointReader.Read(path);

        Assert.Equal("zip format; bare state dict", read.Description);
        FormatFixtures.AssertMatchesReference(read.State, fixture);
    }

    [Fact]
    public void WritingTwiceGivesTheSameBytes()
    {
        var state = PyTorchCheckpointReader.Read(FormatFixtures.PathOf("digits_views.pt")).State;
        var first = Path.Combine(directory, "first.pt");
        var second = Path.Combine(directory, "second.pt");

        PyTorchCheckpointWriter.Write(first, state);
        Thread.Sleep(1100);
        PyTorchCheckpointWriter.Write(second, state);

        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
    }

    [Fact]
    public void OverwritesAtomicallyAndLeavesNoTemporaryFile()
    {
        var path = Path.Combine(directory, "model.pt");
        File.WriteAllText(path, "old");
        var state = new StateDictionary([NamedTensor.FromFloat32("w", [3], [1f, 2f, 3f]), new NamedTensor("n", TensorDType.Int64, [], BitConverter.GetBytes(5L))]);

        PyTorchCheckpointWriter.Write(path, state);

        var read = PyTorchCheckpointReader.Read(path).State;
        Assert.Equal([1f, 2f, 3f], read["w"].ToFloat32());
        Assert.Equal(5f, Assert.Single(read["n"].ToFloat32()));
        Assert.Empty(read["n"].Shape);
        Assert.Equal(["model.pt"], Directory.GetFiles(directory).Select(Path.GetFileName));
    }
}
