namespace LossLandscape.Core.Surfaces;

/// <summary>
/// A computed (or partly computed) surface. <see cref="Values"/> is keyed by the paper code's dataset
/// names (train_loss, train_acc, test_loss, test_acc), each flat and row-major [y, x].
/// <see cref="Elapsed"/> is the time this process spent computing it; null when unknown: a surface
/// read from a file (files record no timings, so that one surface is always the same bytes) or
/// merged from shards.
/// </summary>
public sealed record SurfaceResult(
    SurfaceMetadata Metadata,
    SurfaceGrid Grid,
    IReadOnlyDictionary<string, double[]> Values,
    bool[] Computed,
    TimeSpan? Elapsed,
    string? FilePath)
{
    /// <summary>Every direction draw of a surface of several (-DirectionCount); null for one. The record's own grids are draw 0's.</summary>
    public SurfaceMembers? Members { get; init; }

    /// <summary>Every point this result is responsible for is computed: the whole grid, or a shard's own points (see <see cref="SurfaceMetadata.Shard"/>).</summary>
    public bool IsComplete
    {
        get
        {
            var slots = Members?.Computed ?? Computed;
            var cells = Computed.Length;
            return Enumerable.Range(0, slots.Length).All(slot => slots[slot] || Metadata.Shard?.Owns(slot % cells) == false);
        }
    }

    /// <summary>Computed points of the whole grid (a shard computes only its own).</summary>
    public int ComputedCount => Computed.Count(c => c);

    /// <summary>The points this result is responsible for: the grid's, or its shard's share, in every direction draw.</summary>
    public int OwnPointCount => (Metadata.Shard?.PointCount(Computed.Length) ?? Computed.Length) * (Metadata.DirectionCount ?? 1);

    public static string LossKey(string prefix) => prefix + "_loss";

    public static string AccuracyKey(string prefix) => prefix + "_acc";
}
