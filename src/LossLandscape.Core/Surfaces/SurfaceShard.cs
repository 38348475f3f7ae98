namespace LossLandscape.Core.Surfaces;

/// <summary>
/// One share of a surface's grid, for computing one surface in several processes or machines
/// (e.g. the tasks of a Slurm job array, whose ids are 0-based like <see cref="Index"/>).
/// </summary>
/// <remarks>
/// Point <c>i</c> of the flat grid (row-major [y, x], the order of the engine and the files)
/// belongs to shard <c>i mod Count</c>. Every point has exactly one shard, the shards' sizes differ
/// by at most one point, and each shard's points are spread over the whole grid, so regions where
/// points cost more (e.g. curvature far from the minimum) are shared out rather than landing on one
/// shard. Shards are merged back into one surface by <see cref="SurfaceMerge"/>.
/// </remarks>
public sealed record SurfaceShard
{
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1, or <paramref name="index"/> is not in 0..count-1.</exception>
    public SurfaceShard(int index, int count)
    {
        if (Problem(index, count) is { } problem) throw new ArgumentOutOfRangeException(count < 1 ? nameof(count) : nameof(index), count < 1 ? count : index, problem);
        Index = index;
        Count = count;
    }

    /// <summary>What is wrong with shard <paramref name="index"/> of <paramref name="count"/>, or null when it is valid.</summary>
    public static string? Problem(int index, int count) =>
        count < 1 ? $"The shard count must be at least 1 (got {count})."
        : index < 0 || index >= count ? $"The shard index must be in 0..{count - 1} for {count} shard(s) (got {index}); indices are 0-based, like Slurm's array task ids."
        : null;

    public int Index { get; }

    public int Count { get; }

    public bool Owns(int point) => point % Count == Index;

    /// <summary>How many of a grid's <paramref name="pointCount"/> points this shard computes.</summary>
    public int PointCount(int pointCount) => pointCount / Count + (Index < pointCount % Count ? 1 : 0);

    /// <summary>The shard's points of a grid of <paramref name="pointCount"/> points, in ascending order.</summary>
    public IEnumerable<int> Points(int pointCount)
    {
        for (var point = Index; point < pointCount; point += Count) yield return point;
    }

    public override string ToString() => $"shard {Index} of {Count}";
}
