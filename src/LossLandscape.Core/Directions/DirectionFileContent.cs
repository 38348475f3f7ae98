namespace LossLandscape.Core.Directions;

/// <summary>
/// The directions of a surface: one tensor per model parameter (or state entry), in the model's order.
/// </summary>
/// <param name="X">The x direction (the paper's <c>xdirection</c> group).</param>
/// <param name="Y">The y direction (<c>ydirection</c>), or null for a 1D surface; same shapes as <see cref="X"/>.</param>
/// <param name="Attributes">Our metadata, stored as string attributes on the root group.</param>
public sealed record DirectionFileContent(
    IReadOnlyList<DirectionTensor> X,
    IReadOnlyList<DirectionTensor>? Y,
    IReadOnlyDictionary<string, string> Attributes);
