namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>A safetensors file: its tensors in data order and its <c>__metadata__</c> strings.</summary>
public sealed record SafetensorsContent(StateDictionary State, IReadOnlyDictionary<string, string> Metadata);
