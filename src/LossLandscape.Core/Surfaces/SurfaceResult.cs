namespace LossLandscape.Core.Surfaces;

/// <summary>
/// A computed (or partly computed) surface. <see cref="Values"/> is keyed by the paper code's dataset
/// names (train_loss, train_acc, test_loss, test_acc), each flat and row-major [y, x].
/// </summary>
public sealed record SurfaceResult(
    SurfaceMetadata Metadata,
    SurfaceGrid Grid,
    IReadOnlyDictionary<string, double[]> Values,
    bool[] Computed,
    TimeSpan Elapsed,
    string? FilePath)
{
    public bool IsComplete => Computed.All(c => c);

    public int ComputedCount => Computed.Count(c => c);

    public static string LossKey(string prefix) => prefix + "_loss";

    public static string AccuracyKey(string prefix) => prefix + "_acc";
}
