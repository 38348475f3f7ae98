namespace LossLandscape.Core.Surfaces;

/// <summary>
/// Everything a surface file holds. Grids are flat row-major buffers of <c>Y.Length * X.Length</c>
/// cells (just <c>X.Length</c> for a 1D surface): cell <c>i * X.Length + j</c> is the point
/// (<c>X[j]</c>, <c>Y[i]</c>), which is the paper's <c>meshgrid(x, y)</c> ravel order.
/// </summary>
/// <param name="X">The x coordinates (the paper's <c>xcoordinates</c>).</param>
/// <param name="Y">The y coordinates (<c>ycoordinates</c>), or null for a 1D surface.</param>
/// <param name="Values">Grids keyed by the paper's dataset names, see <see cref="SurfaceFile.ValueNames"/>.</param>
/// <param name="Computed">Which cells hold a computed value; stored as the <c>computed</c> dataset instead of the paper's −1 sentinel.</param>
/// <param name="DirectionFile">The paper's <c>dir_file</c>: the direction file the surface was computed along; may be empty.</param>
/// <param name="Attributes">Our metadata, stored as string attributes on the root group.</param>
public sealed record SurfaceFileContent(
    double[] X,
    double[]? Y,
    IReadOnlyDictionary<string, double[]> Values,
    bool[] Computed,
    string DirectionFile,
    IReadOnlyDictionary<string, string> Attributes)
{
    /// <summary>Every direction draw (-DirectionCount), stored in the <c>members</c> group; null for one draw.</summary>
    public SurfaceMembers? Members { get; init; }

    public int CellCount => X.Length * (Y?.Length ?? 1);
}
