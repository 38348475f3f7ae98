namespace LossLandscape.Plotting;

/// <summary>
/// Refines a surface grid by splitting every cell into factor × factor cells, filling the new points
/// by bilinear interpolation inside the cell they fall in. The original points keep their exact values.
/// </summary>
internal static class SurfaceResampler
{
    public static SurfacePlotData Refine(SurfacePlotData data, int factor)
    {
        if (factor == 1)
            return data;

        double[] x = RefineAxis(data.X, factor);
        double[] y = RefineAxis(data.Y, factor);
        var values = new double[y.Length, x.Length];
        for (int row = 0; row < y.Length; row++)
        {
            (int i, double v) = CellAndFraction(row, factor, data.Y.Length);
            for (int column = 0; column < x.Length; column++)
            {
                (int j, double u) = CellAndFraction(column, factor, data.X.Length);
                values[row, column] = Bilinear(data.Values, i, j, u, v);
            }
        }
        return data with { X = x, Y = y, Values = values };
    }

    private static double[] RefineAxis(double[] axis, int factor)
    {
        var refined = new double[(axis.Length - 1) * factor + 1];
        for (int k = 0; k < refined.Length; k++)
        {
            (int cell, double fraction) = CellAndFraction(k, factor, axis.Length);
            refined[k] = fraction == 0 ? axis[cell] : axis[cell] + (axis[cell + 1] - axis[cell]) * fraction;
        }
        return refined;
    }

    /// <summary>The cell a refined index falls in and how far across it; the last point is the far edge of the last cell.</summary>
    private static (int Cell, double Fraction) CellAndFraction(int refinedIndex, int factor, int originalCount)
    {
        int cell = Math.Min(refinedIndex / factor, originalCount - 2);
        return (cell, (refinedIndex - cell * factor) / (double)factor);
    }

    /// <summary>
    /// Interpolates inside cell (i, j) at fractions (u along x, v along y). Corners with zero weight are
    /// skipped, so a missing (NaN) corner only blanks the points that actually depend on it.
    /// </summary>
    private static double Bilinear(double[,] values, int i, int j, double u, double v)
    {
        double sum = 0;
        Accumulate(ref sum, values[i, j], (1 - u) * (1 - v));
        Accumulate(ref sum, values[i, j + 1], u * (1 - v));
        Accumulate(ref sum, values[i + 1, j], (1 - u) * v);
        Accumulate(ref sum, values[i + 1, j + 1], u * v);
        return sum;
    }

    private static void Accumulate(ref double sum, double value, double weight)
    {
        if (weight != 0)
            sum += weight * value;
    }
}
