namespace LossLandscape.Core.Directions;

/// <summary>
/// A direction holds NaN or infinite values (a PCA of identical checkpoints, a damaged file, weights
/// that overflowed): every point along it would be NaN, and its norm could not be recorded.
/// </summary>
public sealed class DirectionNonFiniteException(DirectionRecipe recipe, int nonFiniteCount, int valueCount)
    : ArgumentException($"The direction {recipe} holds {nonFiniteCount} NaN or infinite value(s) of {valueCount}; a surface along it would be all NaN.")
{
    public DirectionRecipe Recipe { get; } = recipe;

    public int NonFiniteCount { get; } = nonFiniteCount;
}
