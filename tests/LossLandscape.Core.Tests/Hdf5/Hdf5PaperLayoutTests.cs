using LossLandscape.Core.Directions;
using LossLandscape.Core.Surfaces;
using static LossLandscape.Core.Tests.Hdf5.PaperFixtureFormulas;

namespace LossLandscape.Core.Tests.Hdf5;

/// <summary>
/// Files written by h5py in the paper code's layout (Fixtures/Hdf5/make_paper_files.py) read back
/// with the right values, shapes, order and orientation; and our own files for the same content
/// can be exported for that script's h5py check.
/// </summary>
public sealed class Hdf5PaperLayoutTests : IDisposable
{
    private readonly string exportFolder = Environment.GetEnvironmentVariable("LOSSLANDSCAPE_HDF5_EXPORT_DIR")
        ?? Path.Combine(Path.GetTempPath(), "losslandscape-core-tests", Guid.NewGuid().ToString("N"));

    public Hdf5PaperLayoutTests() => Directory.CreateDirectory(exportFolder);

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("LOSSLANDSCAPE_HDF5_EXPORT_DIR") is null)
        {
            Directory.Delete(exportFolder, recursive: true);
        }
    }

    [Fact]
    public void PaperSurface2DReadsInMeshgridOrderWithTheSentinelCellNotComputed()
    {
        var surface = SurfaceFile.Read(Path.Combine(Folder, "paper_surface_2d.h5"));

        Assert.Equal(X2D, surface.X);
        Assert.Equal(Y2D, surface.Y);
        Assert.Equal(PaperFixtureFormulas.DirFile, surface.DirectionFile);
        Assert.Empty(surface.Attributes);
        Assert.Equal(["train_loss", "train_acc"], surface.Values.Keys);
        for (var i = 0; i < Y2D.Length; i++)
        {
            for (var j = 0; j < X2D.Length; j++)
            {
                var cell = i * X2D.Length + j;
                var isLast = cell == X2D.Length * Y2D.Length - 1;
                Assert.Equal(!isLast, surface.Computed[cell]);
                Assert.Equal(isLast ? -1 : Loss2D(X2D[j], Y2D[i]), surface.Values["train_loss"][cell]);
                Assert.Equal(isLast ? -1 : Accuracy2D(X2D[j], Y2D[i]), surface.Values["train_acc"][cell]);
            }
        }
    }

    [Fact]
    public void PaperSurface1DReadsAllFourValueGrids()
    {
        var surface = SurfaceFile.Read(Path.Combine(Folder, "paper_surface_1d.h5"));

        Assert.Equal(X1D, surface.X);
        Assert.Null(surface.Y);
        Assert.Equal(["train_loss", "train_acc", "test_loss", "test_acc"], surface.Values.Keys);
        Assert.Equal(X1D.Select(Loss1D), surface.Values["train_loss"]);
        Assert.Equal(X1D.Select(Accuracy1D), surface.Values["train_acc"]);
        Assert.Equal(X1D.Select(x => Loss1D(x) + 0.5), surface.Values["test_loss"]);
        Assert.Equal(X1D.Select(x => Accuracy1D(x) - 1), surface.Values["test_acc"]);
        Assert.All(surface.Computed, Assert.True);
    }

    [Fact]
    public void PaperDirectionsReadInNumericOrderWithShapesAndTheInt64ScalarAsFloat()
    {
        var directions = DirectionFile.Read(Path.Combine(Folder, "paper_directions_2d.h5"), maxElements: 1 << 20);

        Assert.NotNull(directions.Y);
        foreach (var (axis, tensors) in new[] { ('x', directions.X), ('y', directions.Y) })
        {
            Assert.Equal(TensorShapes.Length, tensors.Count);
            var expected = Direction(axis);
            for (var index = 0; index < tensors.Count; index++)
            {
                Assert.Equal(TensorShapes[index], tensors[index].Shape);
                Assert.Equal(expected[index].Data, tensors[index].Data);
            }
            Assert.Equal([axis == 'x' ? 700f : -700f], tensors[Int64Tensor].Data);
        }
    }

    [Fact]
    public void OurFilesForTheFixtureContentReadBackEqual()
    {
        var surface2D = WithFillWhereNotComputed(Surface2D());
        var surface1D = Surface1D();
        var directions = new DirectionFileContent(Direction('x'), Direction('y'),
            new Dictionary<string, string> { ["losslandscape_metadata"] = """{"kind":"directions"}""" });

        SurfaceFile.Write(Path.Combine(exportFolder, "surface_2d.h5"), surface2D);
        SurfaceFile.Write(Path.Combine(exportFolder, "surface_1d.h5"), surface1D);
        DirectionFile.Write(Path.Combine(exportFolder, "directions_2d.h5"), directions);

        Hdf5Assert.Equal(surface2D, SurfaceFile.Read(Path.Combine(exportFolder, "surface_2d.h5")));
        Hdf5Assert.Equal(surface1D, SurfaceFile.Read(Path.Combine(exportFolder, "surface_1d.h5")));
        Hdf5Assert.Equal(directions, DirectionFile.Read(Path.Combine(exportFolder, "directions_2d.h5"), maxElements: 1 << 20));
    }
}
