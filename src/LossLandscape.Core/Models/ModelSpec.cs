namespace LossLandscape.Core.Models;

/// <summary>
/// Everything needed to rebuild a model of the zoo: its architecture name (as given to -Model) and
/// constructor arguments. Saved beside every checkpoint so a checkpoint describes itself.
/// </summary>
public sealed record ModelSpec
{
    /// <summary>Zoo name, e.g. DigitsCnn, ResNet56NoShort, WideResNet56 (see <see cref="ModelZoo.Architectures"/>).</summary>
    public required string Architecture { get; init; }

    public int InputChannels { get; init; } = 1;

    public int InputHeight { get; init; } = 8;

    public int InputWidth { get; init; } = 8;

    public int ClassCount { get; init; } = 10;

    /// <summary>Hidden layer widths of Mlp; ignored by the other architectures.</summary>
    public IReadOnlyList<int>? HiddenWidths { get; init; }

    /// <summary>Width multiplier k of WideResNet56; 1 for the others.</summary>
    public int WidthFactor { get; init; } = 1;

    public bool Equals(ModelSpec? other) =>
        other is not null
        && string.Equals(Architecture, other.Architecture, StringComparison.OrdinalIgnoreCase)
        && InputChannels == other.InputChannels && InputHeight == other.InputHeight && InputWidth == other.InputWidth
        && ClassCount == other.ClassCount && WidthFactor == other.WidthFactor
        && (HiddenWidths ?? Array.Empty<int>()).SequenceEqual(other.HiddenWidths ?? Array.Empty<int>());

    public override int GetHashCode() => HashCode.Combine(Architecture.ToUpperInvariant(), InputChannels, InputHeight, InputWidth, ClassCount, WidthFactor);
}
