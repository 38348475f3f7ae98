using LossLandscape.Core.Directions;
using LossLandscape.Core.Surfaces;

namespace LossLandscape.Core.Tests.Hdf5;

/// <summary>Field-by-field equality for file contents; doubles compare by bits so NaN and signed zeros count.</summary>
internal static class Hdf5Assert
{
    public static void Equal(SurfaceFileContent expected, SurfaceFileContent actual)
    {
        BitEqual(expected.X, actual.X);
        if (expected.Y is null)
        {
            Assert.Null(actual.Y);
        }
        else
        {
            Assert.NotNull(actual.Y);
            BitEqual(expected.Y, actual.Y);
        }
        Assert.Equal(expected.Values.Keys.Order(), actual.Values.Keys.Order());
        foreach (var (name, values) in expected.Values)
        {
            BitEqual(values, actual.Values[name]);
        }
        Assert.Equal(expected.Computed, actual.Computed);
        Assert.Equal(expected.DirectionFile, actual.DirectionFile);
        Assert.Equal(expected.Attributes.OrderBy(a => a.Key), actual.Attributes.OrderBy(a => a.Key));
    }

    public static void Equal(DirectionFileContent expected, DirectionFileContent actual)
    {
        Equal(expected.X, actual.X);
        if (expected.Y is null)
        {
            Assert.Null(actual.Y);
        }
        else
        {
            Assert.NotNull(actual.Y);
            Equal(expected.Y, actual.Y);
        }
        Assert.Equal(expected.Attributes.OrderBy(a => a.Key), actual.Attributes.OrderBy(a => a.Key));
    }

    private static void Equal(IReadOnlyList<DirectionTensor> expected, IReadOnlyList<DirectionTensor> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var index = 0; index < expected.Count; index++)
        {
            Assert.Equal(expected[index].Shape, actual[index].Shape);
            Assert.Equal(expected[index].Data.Select(BitConverter.SingleToInt32Bits), actual[index].Data.Select(BitConverter.SingleToInt32Bits));
        }
    }

    private static void BitEqual(double[] expected, double[] actual) =>
        Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), actual.Select(BitConverter.DoubleToInt64Bits));
}
