using LossLandscape.Core.Directions;
using LossLandscape.Core.Surfaces;

namespace LossLandscape.Core.Tests.Surfaces;

/// <summary>Values are checked for what they are: any value where computed, the fill where not, no non-finite direction.</summary>
public sealed class SurfaceValueRuleTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("losslandscape-values-");

    public void Dispose() => folder.Delete(recursive: true);

    private string Write(double[] losses, bool[] computed)
    {
        var path = Path.Combine(folder.FullName, $"{Guid.NewGuid():N}.h5");
        SurfaceFile.Write(path, new SurfaceFileContent([-1, 0, 1], null, new Dictionary<string, double[]> { ["train_loss"] = losses }, computed, "", new Dictionary<string, string>()));
        return path;
    }

    [Fact]
    public void AComputedCellMayHoldNaNOrInfinityAndReadsBackAsItIs()
    {
        var path = Write([double.NaN, double.PositiveInfinity, double.NegativeInfinity], [true, true, true]);

        var read = SurfaceFile.Read(path);

        Assert.Equal([double.NaN, double.PositiveInfinity, double.NegativeInfinity], read.Values["train_loss"]);
        Assert.Equal([true, true, true], read.Computed);
    }

    [Fact]
    public void ACellMarkedNotComputedHoldsTheFillAndReadsAsNotComputed()
    {
        var path = Write([0.5, SurfaceFile.NotComputedFill, 2.5], [true, false, true]);

        var read = SurfaceFile.Read(path);

        Assert.Equal([true, false, true], read.Computed);
        Assert.Equal(0.5, read.Values["train_loss"][0]);
        Assert.True(double.IsNaN(read.Values["train_loss"][1]));
    }

    [Theory]
    [InlineData(0.75)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-1.0)]
    public void AValueInACellMarkedNotComputedIsInvalidData(double value)
    {
        var path = Write([0.5, value, 2.5], [true, false, true]);

        var error = Assert.Throws<InvalidDataException>(() => SurfaceFile.Read(path));

        Assert.Contains("'train_loss'", error.Message);
        Assert.Contains("at cell 1, which 'computed' marks as not computed", error.Message);
    }

    [Fact]
    public void ADirectionWithNaNOrInfiniteValuesIsRefusedWithTheirCount()
    {
        var recipe = new DirectionRecipe { Seed = 1, CheckpointSha256 = "" };

        var parameters = Assert.Throws<DirectionNonFiniteException>(() => new DirectionVector(recipe, [1f, float.NaN, 2f, float.NegativeInfinity]));
        var buffers = Assert.Throws<DirectionNonFiniteException>(() => new DirectionVector(recipe, [1f, 2f], [float.PositiveInfinity]));

        Assert.Equal(2, parameters.NonFiniteCount);
        Assert.Contains("2 NaN or infinite value(s) of 4", parameters.Message);
        Assert.Equal(1, buffers.NonFiniteCount);
        Assert.Equal(Math.Sqrt(5), new DirectionVector(recipe, [1f, 2f], [0f]).Norm, 1e-12);
    }
}
