namespace LossLandscape.Core.Directions;

/// <summary>
/// One tensor of a direction, flattened in row-major order. A scalar (0-d) tensor has an empty
/// <see cref="Shape"/> and one value.
/// </summary>
public sealed record DirectionTensor(float[] Data, long[] Shape)
{
    public long ElementCount => Shape.Aggregate(1L, (count, size) => count * size);
}
