using System.Text.Json.Serialization;

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

    // The Gpt shape (GPT-2's config.json names in brackets). Zero for the other architectures and not
    // written then, so the specs of every earlier checkpoint serialize exactly as before. For Gpt,
    // ClassCount is the vocabulary (vocab_size): the decoder's inputs and outputs are one token set.
    // Gpt reads token windows, not images: its InputChannels, InputHeight and InputWidth are 0.

    /// <summary>Transformer blocks of Gpt [n_layer].</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int LayerCount { get; init; }

    /// <summary>Attention heads per block of Gpt [n_head]; they split <see cref="EmbeddingWidth"/> evenly.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int HeadCount { get; init; }

    /// <summary>Residual stream width of Gpt [n_embd]; the MLP is 4 × as wide.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int EmbeddingWidth { get; init; }

    /// <summary>Learned positions of Gpt [n_positions]: the longest window it reads.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int ContextLength { get; init; }

    /// <summary>The GELU of Gpt's MLP [activation_function]: GPT-2's gelu_new unless the checkpoint is nanoGPT's.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public GptActivation Activation { get; init; }

    public bool Equals(ModelSpec? other) =>
        other is not null
        && string.Equals(Architecture, other.Architecture, StringComparison.OrdinalIgnoreCase)
        && InputChannels == other.InputChannels && InputHeight == other.InputHeight && InputWidth == other.InputWidth
        && ClassCount == other.ClassCount && WidthFactor == other.WidthFactor
        && LayerCount == other.LayerCount && HeadCount == other.HeadCount && EmbeddingWidth == other.EmbeddingWidth && ContextLength == other.ContextLength
        && Activation == other.Activation
        && (HiddenWidths ?? Array.Empty<int>()).SequenceEqual(other.HiddenWidths ?? Array.Empty<int>());

    public override int GetHashCode() => HashCode.Combine(Architecture.ToUpperInvariant(), InputChannels, InputHeight, InputWidth, ClassCount, WidthFactor, HashCode.Combine(LayerCount, HeadCount, EmbeddingWidth, ContextLength, Activation));
}
