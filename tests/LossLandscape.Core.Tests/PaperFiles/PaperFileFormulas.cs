using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Directions;

namespace LossLandscape.Core.Tests.PaperFiles;

/// <summary>The formulas of Fixtures/PaperFiles/make_paper_layouts.py, repeated so the tests check every value.</summary>
internal static class PaperFileFormulas
{
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "PaperFiles");

    public static string PathOf(string name) => Path.Combine(Folder, name);

    public static readonly double[] PcaRatios = [0.75, 0.125];
    public static readonly double[] PcaSingular = [3.0, 1.5];
    public static readonly double[] PcaExplainedVariance = [2.25, 0.5625];
    public static readonly double[] PcaX = [-2.5, -1.25, 0.0, 0.5, 0.0];
    public static readonly double[] PcaY = [0.75, -0.5, 0.25, -0.125, 0.0];

    public static readonly double[] HessianX = [-1, -0.5, 0, 0.5, 1];
    public static readonly double[] HessianY = [-0.5, 0, 0.5];
    public const int HessianUncomputed = 2;

    public static float DirectionValue(int axis, int tensor, long flatIndex)
    {
        var value = (tensor + 1) * 100 + 0.5 * flatIndex;
        return (float)(axis == 0 ? value : -value);
    }

    public static float PcaValue(int axis, int tensor, long flatIndex)
    {
        var value = (tensor + 1) * 0.25 + flatIndex % 7 * 0.125;
        return (float)(axis == 0 ? value : -value);
    }

    public static double MaxEig(double x, double y) => 8 + 2 * x + 4 * y;

    public static double MinEig(double x, double y) => -(1 + 0.5 * x) + y;

    /// <summary>The flat vector the formula gives when tensor i of the file is entry i of <paramref name="entries"/>.</summary>
    public static float[] Expected(IReadOnlyList<ParameterEntry> entries, long length, Func<ParameterEntry, int> fileIndex, Func<int, long, float> value, bool zeroRankOne = false)
    {
        var flat = new float[length];
        foreach (var entry in entries)
        {
            if (zeroRankOne && entry.Rank <= 1) continue;
            var index = fileIndex(entry);
            for (long k = 0; k < entry.Length; k++) flat[entry.Offset + k] = value(index, k);
        }
        return flat;
    }
}
