using LossLandscape.Core.Directions;

namespace LossLandscape.Core.Tests.Hdf5;

public sealed class Hdf5DirectionFileTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "losslandscape-core-tests", Guid.NewGuid().ToString("N"));

    public Hdf5DirectionFileTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string PathOf(string name) => Path.Combine(directory, name);

    private static DirectionFileContent TwoDirections()
    {
        var x = PaperFixtureFormulas.Direction('x');
        x[0].Data[0] = float.NaN;
        x[0].Data[1] = float.PositiveInfinity;
        x[0].Data[2] = -0.0f;
        x[1].Data[0] = float.Epsilon;
        return new DirectionFileContent(x, PaperFixtureFormulas.Direction('y'),
            new Dictionary<string, string> { ["losslandscape_metadata"] = """{"norm":"filter","ignore":"biasbn"}""", ["seed"] = "123" });
    }

    [Fact]
    public void RoundTripKeepsShapesOrderAndEveryValue()
    {
        var content = TwoDirections();
        DirectionFile.Write(PathOf("d.h5"), content);

        Hdf5Assert.Equal(content, DirectionFile.Read(PathOf("d.h5"), maxElements: 1 << 20));
    }

    [Fact]
    public void RoundTripOfASingleDirection()
    {
        var content = new DirectionFileContent(PaperFixtureFormulas.Direction('x'), null, new Dictionary<string, string>());
        DirectionFile.Write(PathOf("d.h5"), content);

        Hdf5Assert.Equal(content, DirectionFile.Read(PathOf("d.h5"), maxElements: 1 << 20));
    }

    [Fact]
    public void RoundTripOfTensorsTooLargeForTheCompactLayoutAndALongAttribute()
    {
        // PureHDF stores datasets under 64 KiB inline (compact) and larger ones contiguously; both paths are covered.
        var large = new DirectionTensor(Enumerable.Range(0, 64 * 3 * 3 * 64).Select(k => k * 0.001f).ToArray(), [64, 64, 3, 3]);
        var content = new DirectionFileContent([large, large with { Data = [2f], Shape = [] }], [large, large with { Data = [3f], Shape = [] }],
            new Dictionary<string, string> { ["losslandscape_metadata"] = new string('m', 20_000) });
        DirectionFile.Write(PathOf("d.h5"), content);

        Hdf5Assert.Equal(content, DirectionFile.Read(PathOf("d.h5"), maxElements: 1 << 20));
    }

    [Fact]
    public void WritingTheSameContentTwiceGivesIdenticalBytes()
    {
        var content = TwoDirections();
        DirectionFile.Write(PathOf("a.h5"), content);
        DirectionFile.Write(PathOf("b.h5"), content with { Attributes = content.Attributes.Reverse().ToDictionary() });

        Assert.Equal(File.ReadAllBytes(PathOf("a.h5")), File.ReadAllBytes(PathOf("b.h5")));
    }

    [Fact]
    public void DataThatDoesNotFillItsShapeIsRejected()
    {
        var x = PaperFixtureFormulas.Direction('x');
        x[9] = new DirectionTensor(new float[14], [5, 3]);

        var error = Assert.Throws<ArgumentException>(() => DirectionFile.Write(PathOf("d.h5"), new DirectionFileContent(x, null, new Dictionary<string, string>())));
        Assert.Contains("Tensor 9 of direction X has 14 values but shape (5, 3) needs 15", error.Message);
    }

    [Fact]
    public void DirectionsOfDifferentShapesAreRejected()
    {
        var y = PaperFixtureFormulas.Direction('y');
        y[11] = new DirectionTensor(new float[10], [5, 2]);

        var error = Assert.Throws<ArgumentException>(() => DirectionFile.Write(PathOf("d.h5"), new DirectionFileContent(PaperFixtureFormulas.Direction('x'), y, new Dictionary<string, string>())));
        Assert.Contains("Tensor 11 has shape (2, 5) in the x direction but (5, 2) in the y direction", error.Message);
    }

    [Fact]
    public void FailedValidationLeavesTheExistingFileIntact()
    {
        DirectionFile.Write(PathOf("d.h5"), TwoDirections());
        var before = File.ReadAllBytes(PathOf("d.h5"));

        Assert.Throws<ArgumentException>(() => DirectionFile.Write(PathOf("d.h5"), TwoDirections() with { Y = [] }));

        Assert.Equal(before, File.ReadAllBytes(PathOf("d.h5")));
        Assert.Equal([PathOf("d.h5")], Directory.GetFiles(directory));
    }

    [Fact]
    public void FileWithoutXDirectionIsInvalidData()
    {
        var surface = Path.Combine(PaperFixtureFormulas.Folder, "paper_surface_2d.h5");

        Assert.Contains("no 'xdirection' group", Assert.Throws<InvalidDataException>(() => DirectionFile.Read(surface, maxElements: 1 << 20)).Message);
    }

    [Fact]
    public void GapInTheTensorNumberingIsInvalidData()
    {
        new PureHDF.H5File
        {
            ["xdirection"] = new PureHDF.H5Group { ["0"] = new float[] { 1 }, ["2"] = new float[] { 2 } },
        }.Write(PathOf("gap.h5"));

        Assert.Contains("no dataset '1'", Assert.Throws<InvalidDataException>(() => DirectionFile.Read(PathOf("gap.h5"), maxElements: 1 << 20)).Message);
    }

    [Fact]
    public void NonHdf5FileIsInvalidData()
    {
        File.WriteAllBytes(PathOf("not.h5"), new byte[4096]);

        Assert.Throws<InvalidDataException>(() => DirectionFile.Read(PathOf("not.h5"), maxElements: 1 << 20));
    }
}
