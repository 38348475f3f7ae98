using LossLandscape.Core.Models;

namespace LossLandscape.PowerShell.Types;

/// <summary>An architecture of the model zoo with its default input and size.</summary>
public sealed class LandscapeModelInfo
{
    internal LandscapeModelInfo(ModelSpec spec, long parameterCount, int tensorCount)
    {
        Spec = spec;
        ParameterCount = parameterCount;
        TensorCount = tensorCount;
    }

    internal ModelSpec Spec { get; }

    public string Name => Spec.Architecture;

    /// <summary>C×H×W of an image model; for a token model (Gpt) the longest window it reads.</summary>
    public string Input => Spec.ContextLength > 0 ? $"≤{Spec.ContextLength} tokens" : $"{Spec.InputChannels}×{Spec.InputHeight}×{Spec.InputWidth}";

    public int ClassCount => Spec.ClassCount;

    public int WidthFactor => Spec.WidthFactor;

    public int[]? HiddenWidths => Spec.HiddenWidths?.ToArray();

    public long ParameterCount { get; }

    public int TensorCount { get; }

    public override string ToString() => $"{Name} ({Input} → {ClassCount}, {ParameterCount:N0} parameters)";
}
