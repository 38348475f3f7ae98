namespace LossLandscape.Core.Checkpoints;

/// <summary>A validated checkpoint on disk: where it is, what it holds. No tensors.</summary>
public sealed record CheckpointInfo(
    string StatePath,
    string MetadataPath,
    CheckpointMetadata Metadata,
    IReadOnlyList<StateTensorInfo> Tensors,
    IReadOnlyList<LayerSummary> Layers,
    long ParameterCount)
{
    public CheckpointFormat Format { get; init; } = CheckpointFormat.LossLandscape;

    /// <summary>Float tensors stored in another float type than the model's, converted when loaded (e.g. float16 → float32).</summary>
    public IReadOnlyList<string> Conversions { get; init; } = [];

    /// <summary>NaN or ±∞ values over all tensors: a diverged or corrupted checkpoint.</summary>
    public long NonFiniteCount => Tensors.Sum(t => t.NonFiniteCount);

    /// <summary>The file name without extension, e.g. <c>epoch-003</c>; a Hugging Face folder's whole name (<c>gpt2.v1</c>).</summary>
    public string Name => Format == CheckpointFormat.HuggingFace ? Path.GetFileName(StatePath) : Path.GetFileNameWithoutExtension(StatePath);
}
