using LossLandscape.Core.Checkpoints.Formats;
using LossLandscape.Core.Data;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Tests.Data;

public sealed class TensorFolderTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("ll-tensors-");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public void SafetensorsAndPyTorchFilesGiveTheSameSamples()
    {
        var pixels = Enumerable.Range(0, 3 * 2 * 4 * 5).Select(i => i * 0.25f - 3).ToArray();
        var labels = new NamedTensor(TensorFolder.LabelsName, TensorDType.Int64, [3], [.. BitConverter.GetBytes(2L), .. BitConverter.GetBytes(0L), .. BitConverter.GetBytes(4L)]);
        var state = new StateDictionary([NamedTensor.FromFloat32(TensorFolder.InputsName, [3, 2, 4, 5], pixels), labels]);
        SafetensorsWriter.Write(Path.Combine(folder.FullName, "train.safetensors"), state);
        PyTorchCheckpointWriter.Write(Path.Combine(folder.FullName, "test.pt"), state);

        var train = DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, DatasetCatalog.FromFolder(folder.FullName, DatasetFormat.Tensors));
        var test = DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, DatasetCatalog.FromFolder(folder.FullName, DatasetFormat.Tensors, DatasetSplit.Test));
        foreach (var split in new[] { train, test })
        {
            Assert.Equal(pixels, split.Inputs);
            Assert.Equal([2L, 0L, 4L], split.Labels);
            Assert.Equal((2, 4, 5, 5), (split.Channels, split.Height, split.Width, split.ClassCount));
        }
    }

    [Fact]
    public void MissingFilesAndWrongTensorsAreClearErrors()
    {
        var missing = Assert.Throws<FileNotFoundException>(() => TensorFolder.Load(LandscapeRuntime.Load().DatasetCache, folder.FullName, DatasetSplit.Train));
        Assert.Contains("train.safetensors", missing.Message);

        SafetensorsWriter.Write(Path.Combine(folder.FullName, "train.safetensors"), new StateDictionary([NamedTensor.FromFloat32("x", [2], [1f, 2f])]));
        var wrong = Assert.Throws<InvalidDataException>(() => TensorFolder.Load(LandscapeRuntime.Load().DatasetCache, folder.FullName, DatasetSplit.Train));
        Assert.Contains("'inputs' and 'labels'", wrong.Message);
    }
}
