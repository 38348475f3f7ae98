using LossLandscape.Core.Checkpoints;
using System.Text.Json;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Hdf5;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using PureHDF;

namespace LossLandscape.Core.Tests.PaperFiles;

/// <summary>
/// Our <see cref="DirectionStore.Write"/> for ResNet-20 gives the dataset names, count, shapes and dtype
/// the paper's write_list gives for its ResNet-20 (Fixtures/PaperFiles/resnet20_paper_layout.json;
/// make_paper_layouts.py verify FILE checks the same with h5py).
/// </summary>
public sealed class ResNet20PaperLayoutTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("LossLandscape.PaperResNet20.").FullName;

    public ResNet20PaperLayoutTests() => LandscapeRuntime.Load();

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private sealed record Entry(string Name, string Parameter, long[] Shape, string Dtype);

    [Fact]
    public void DirectionStoreWritesThePaperLayout()
    {
        var expected = JsonSerializer.Deserialize<Entry[]>(File.ReadAllText(PaperFileFormulas.PathOf("resnet20_paper_layout.json")),
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        using var model = ModelZoo.Create(LandscapeRuntime.Load(), ModelZoo.DefaultSpec("ResNet20"));
        var layout = ParameterLayout.Of(model);
        Assert.Equal(expected.Select(e => e.Parameter), layout.Parameters.Select(p => p.Name));
        var directions = Enumerable.Range(0, 2).Select(axis => new DirectionVector(
            new DirectionRecipe { Kind = DirectionKind.File, Axis = axis, CheckpointSha256 = "abc" },
            Enumerable.Range(0, (int)layout.ParameterLength).Select(k => (float)(axis + 1) * (k % 11)).ToArray())).ToArray();
        var path = Path.Combine(folder, "resnet20_directions.h5");
        if (Environment.GetEnvironmentVariable("LOSSLANDSCAPE_PAPERFILES_EXPORT_DIR") is { Length: > 0 } export)
            path = Path.Combine(export, "resnet20_directions.h5");

        DirectionStore.Write(path, layout, directions);

        Hdf5Storage.Read(path, file =>
        {
            foreach (var axis in new[] { "xdirection", "ydirection" })
            {
                var group = file.Group(axis);
                Assert.Equal(expected.Select(e => e.Name).Order(StringComparer.Ordinal), group.Children().Select(c => c.Name).Order(StringComparer.Ordinal));
                foreach (var entry in expected)
                {
                    var dataset = group.Dataset(entry.Name);
                    Assert.Equal("float32", entry.Dtype);
                    Assert.Equal(H5DataTypeClass.FloatingPoint, dataset.Type.Class);
                    Assert.Equal(4, dataset.Type.Size);
                    Assert.Equal(entry.Shape, Hdf5Storage.Shape(dataset));
                }
            }
            return 0;
        });
        var read = DirectionStore.Read(path, layout, "abc");
        Assert.Equal(directions.Select(d => d.Parameters), read.Select(d => d.Parameters));
    }
}
