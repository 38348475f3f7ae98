namespace LossLandscape.Core.Checkpoints;

/// <summary>One named tensor of a state dictionary, as stored (no data).</summary>
public sealed record StateTensorInfo(string Name, string DType, IReadOnlyList<long> Shape)
{
    /// <summary>How many of its values are NaN or ±∞ (floating-point tensors only).</summary>
    public long NonFiniteCount { get; init; }

    public long ElementCount => Shape.Aggregate(1L, (product, size) => product * size);

    public string ShapeText => Shape.Count == 0 ? "scalar" : string.Join("×", Shape);

    public override string ToString() => $"{Name} [{ShapeText}] {DType}";
}
