using LossLandscape.Core.Surfaces;

namespace LossLandscape.Core.Tests.Hdf5;

public sealed class Hdf5SurfaceFileTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "losslandscape-core-tests", Guid.NewGuid().ToString("N"));

    public Hdf5SurfaceFileTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string PathOf(string name) => Path.Combine(directory, name);

    private static SurfaceFileContent Special2D()
    {
        double[] x = [-1, 0, 1, 2, 3];
        double[] y = [-0.25, 0, 0.25];
        var cells = x.Length * y.Length;
        var losses = Enumerable.Range(0, cells).Select(k => 1.0 + k / 7.0).ToArray();
        losses[1] = double.NaN;
        losses[2] = double.PositiveInfinity;
        losses[7] = double.NegativeInfinity;
        losses[4] = -0.0;
        losses[5] = double.Epsilon;
        return PaperFixtureFormulas.WithFillWhereNotComputed(new SurfaceFileContent(
            x,
            y,
            new Dictionary<string, double[]>
            {
                ["test_acc"] = Enumerable.Range(0, cells).Select(k => k * 0.1).ToArray(),
                ["train_loss"] = losses,
                ["test_loss"] = Enumerable.Range(0, cells).Select(k => Math.PI * k).ToArray(),
                ["train_acc"] = Enumerable.Range(0, cells).Select(k => 100.0 - k).ToArray(),
            },
            Enumerable.Range(0, cells).Select(k => k % 3 != 0).ToArray(),
            "directions/run 1/ü.h5",
            new Dictionary<string, string> { ["losslandscape_metadata"] = """{"a":[1,2],"b":"€"}""", ["empty"] = "" }));
    }

    [Fact]
    public void RoundTripKeepsEveryValueNaNAndInfinityIncluded()
    {
        var content = Special2D();
        SurfaceFile.Write(PathOf("s.h5"), content);

        Hdf5Assert.Equal(content, SurfaceFile.Read(PathOf("s.h5")));
    }

    [Fact]
    public void RoundTripOf1DSurface()
    {
        var content = PaperFixtureFormulas.WithFillWhereNotComputed(PaperFixtureFormulas.Surface1D() with { Computed = [true, false, true, true, false, true, true] });
        SurfaceFile.Write(PathOf("s.h5"), content);

        Hdf5Assert.Equal(content, SurfaceFile.Read(PathOf("s.h5")));
    }

    [Fact]
    public void WritingTheSameContentTwiceGivesIdenticalBytes()
    {
        var content = Special2D();
        SurfaceFile.Write(PathOf("a.h5"), content);
        var reordered = content with
        {
            Values = content.Values.Reverse().ToDictionary(),
            Attributes = content.Attributes.Reverse().ToDictionary(),
        };
        SurfaceFile.Write(PathOf("b.h5"), reordered);

        Assert.Equal(File.ReadAllBytes(PathOf("a.h5")), File.ReadAllBytes(PathOf("b.h5")));
    }

    [Fact]
    public void WriteLeavesNoTemporaryFileBehind()
    {
        SurfaceFile.Write(PathOf("s.h5"), Special2D());
        SurfaceFile.Write(PathOf("s.h5"), Special2D());

        Assert.Equal([PathOf("s.h5")], Directory.GetFiles(directory));
    }

    [Fact]
    public void ValuesOfTheWrongLengthAreRejectedNamingTheGrid()
    {
        var content = Special2D();
        var values = content.Values.ToDictionary();
        values["train_loss"] = new double[5 * 3 - 1];

        var error = Assert.Throws<ArgumentException>(() => SurfaceFile.Write(PathOf("s.h5"), content with { Values = values }));
        Assert.Contains("'train_loss' has 14 values", error.Message);
        Assert.Contains("3 y-points × 5 x-points", error.Message);
    }

    [Fact]
    public void ComputedMaskOfTheWrongLengthIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => SurfaceFile.Write(PathOf("s.h5"), Special2D() with { Computed = new bool[5] }));
        Assert.Contains("Computed has 5 entries", error.Message);
    }

    [Fact]
    public void UnknownValueNamesAndEmptyCoordinatesAreRejected()
    {
        var content = Special2D();
        var values = content.Values.ToDictionary();
        values["val_loss"] = new double[15];

        Assert.Contains("'val_loss' is not a surface value name",
            Assert.Throws<ArgumentException>(() => SurfaceFile.Write(PathOf("s.h5"), content with { Values = values })).Message);
        Assert.Throws<ArgumentException>(() => SurfaceFile.Write(PathOf("s.h5"), content with { Y = [] }));
        Assert.Throws<ArgumentException>(() => SurfaceFile.Write(PathOf("s.h5"), content with { X = [] }));
    }

    [Fact]
    public void FailedValidationLeavesTheExistingFileIntact()
    {
        SurfaceFile.Write(PathOf("s.h5"), Special2D());
        var before = File.ReadAllBytes(PathOf("s.h5"));

        Assert.Throws<ArgumentException>(() => SurfaceFile.Write(PathOf("s.h5"), Special2D() with { Computed = [] }));

        Assert.Equal(before, File.ReadAllBytes(PathOf("s.h5")));
        Assert.Equal([PathOf("s.h5")], Directory.GetFiles(directory));
    }

    [Fact]
    public void FileWithoutXCoordinatesIsInvalidData()
    {
        var directionsOnly = Path.Combine(PaperFixtureFormulas.Folder, "paper_directions_2d.h5");

        var error = Assert.Throws<InvalidDataException>(() => SurfaceFile.Read(directionsOnly));
        Assert.Contains("no 'xcoordinates'", error.Message);
    }

    [Fact]
    public void NonHdf5FileIsInvalidData()
    {
        File.WriteAllText(PathOf("not.h5"), "surface,loss\n0,1\n");

        var error = Assert.Throws<InvalidDataException>(() => SurfaceFile.Read(PathOf("not.h5")));
        Assert.Contains("not a readable HDF5 file", error.Message);
    }

    [Fact]
    public void ValueGridThatDisagreesWithTheCoordinatesIsInvalidData()
    {
        // Our writer refuses such content, so the file is built with PureHDF directly.
        var path = PathOf("mismatch.h5");
        new PureHDF.H5File
        {
            ["xcoordinates"] = new double[] { 0, 1, 2 },
            ["train_loss"] = new double[] { 1, 2, 3, 4 },
        }.Write(path);

        var error = Assert.Throws<InvalidDataException>(() => SurfaceFile.Read(path));
        Assert.Contains("'train_loss'", error.Message);
        Assert.Contains("shape (4)", error.Message);
    }

    [Fact]
    public void MissingFileKeepsItsIoException()
    {
        Assert.Throws<FileNotFoundException>(() => SurfaceFile.Read(PathOf("absent.h5")));
    }
}
