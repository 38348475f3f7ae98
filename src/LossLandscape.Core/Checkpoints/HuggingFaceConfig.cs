using System.Text.Json;
using LossLandscape.Core.Models;

namespace LossLandscape.Core.Checkpoints;

/// <summary>
/// The <c>config.json</c> of a Hugging Face GPT-2 folder, as a <see cref="ModelSpec"/> of the zoo's Gpt.
/// Only the settings under which our Gpt computes what <c>GPT2LMHeadModel</c> computes are accepted;
/// any other value of a setting that changes the function is refused rather than silently ignored.
/// </summary>
public static class HuggingFaceConfig
{
    public const string FileName = "config.json";

    /// <summary>A GPT-2 config.json is about 1 KB; anything far larger is not one.</summary>
    public const long MaxFileBytes = 1 << 20;

    /// <summary>
    /// The largest model a config.json may describe: 2·10⁹ parameters, 8 GB as float32 (GPT-2 XL has
    /// 1.56·10⁹). Checked from the config alone, before any tensor is allocated or any weight read.
    /// </summary>
    public const long MaxParameterCount = 2_000_000_000;

    private const double LayerNormEpsilon = 1e-5;
    private const string Activation = "gelu_new";
    private const string ExactGelu = "gelu";

    /// <exception cref="CheckpointException">Unreadable (Corrupt), describing another model (Unsupported), or too large (TooLarge).</exception>
    public static ModelSpec Read(string path)
    {
        CheckpointFiles.EnsureRegular(path);
        var length = new FileInfo(path).Length;
        if (length > MaxFileBytes)
            throw new CheckpointException(CheckpointErrorKind.TooLarge, path, $"'{path}' is {length} bytes; a config.json is read only up to {MaxFileBytes} bytes.");
        JsonDocument document;
        try
        {
            document = ParseJson(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new CheckpointException(CheckpointErrorKind.Corrupt, path, $"'{path}' is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new CheckpointException(CheckpointErrorKind.Corrupt, path, $"'{path}' is not a JSON object.");
            return Parse(root, path);
        }
    }

    /// <summary>Parses JSON as the Hugging Face files hold it: UTF-8, with or without the byte order mark an editor may add.</summary>
    /// <exception cref="JsonException">Not valid JSON.</exception>
    internal static JsonDocument ParseJson(byte[] bytes) =>
        JsonDocument.Parse(bytes.AsMemory(bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0));

    /// <summary>
    /// The Gpt spec of a GPT-2 shape read from a file, refused as <see cref="CheckpointErrorKind.TooLarge"/>
    /// before any weight is read when it has more than <see cref="MaxParameterCount"/> parameters.
    /// </summary>
    /// <param name="source">Where in the file the shape was read (e.g. "'s model_args"), after the path.</param>
    internal static ModelSpec BoundedSpec(string path, string source, int layers, int heads, int width, int vocabulary, int positions, GptActivation activation)
    {
        long parameters;
        try
        {
            parameters = ParameterCount(vocabulary, positions, layers, width);
        }
        catch (OverflowException)
        {
            parameters = long.MaxValue;
        }
        if (parameters > MaxParameterCount)
            throw new CheckpointException(CheckpointErrorKind.TooLarge, path,
                $"'{path}'{source} describes a GPT-2 of {parameters} parameters (n_layer {layers}, n_embd {width}, vocab_size {vocabulary}, n_positions {positions}), more than the {MaxParameterCount} a checkpoint may have: refused before reading any weight.");
        return ModelZoo.DefaultSpec(nameof(Gpt)) with
        {
            ClassCount = vocabulary,
            LayerCount = layers,
            HeadCount = heads,
            EmbeddingWidth = width,
            ContextLength = positions,
            Activation = activation,
        };
    }

    /// <summary>Parameters of the Gpt <paramref name="spec"/> describes.</summary>
    public static long ParameterCount(ModelSpec spec) => ParameterCount(spec.ClassCount, spec.ContextLength, spec.LayerCount, spec.EmbeddingWidth);

    /// <summary>float32 parameters of a Gpt of this shape (GPT-2's count: the head is tied to wte).</summary>
    public static long ParameterCount(long vocabulary, long positions, long layers, long width) =>
        checked((vocabulary * width) + (positions * width) + (layers * ((12 * width * width) + (13 * width))) + (2 * width));

    private static ModelSpec Parse(JsonElement root, string path)
    {
        var modelType = OptionalString(root, "model_type", path);
        if (modelType != "gpt2")
            throw Unsupported(path, $"its model_type is {(modelType is null ? "missing" : $"'{modelType}'")}; only GPT-2 folders (model_type 'gpt2') are read");
        var layers = PositiveInteger(root, "n_layer", path);
        var heads = PositiveInteger(root, "n_head", path);
        var width = PositiveInteger(root, "n_embd", path);
        var vocabulary = PositiveInteger(root, "vocab_size", path);
        var positions = PositiveInteger(root, "n_positions", path);
        if (width % heads != 0)
            throw new CheckpointException(CheckpointErrorKind.Corrupt, path, $"'{path}': n_embd {width} is not a multiple of n_head {heads}.");

        if (root.TryGetProperty("layer_norm_epsilon", out var epsilon) && (epsilon.ValueKind != JsonValueKind.Number || epsilon.GetDouble() != LayerNormEpsilon))
            throw Unsupported(path, $"layer_norm_epsilon is {epsilon.GetRawText()}; the zoo's Gpt normalizes with {LayerNormEpsilon:R}");
        var activationName = OptionalString(root, "activation_function", path);
        var activation = activationName switch
        {
            null or Activation => GptActivation.GeluNew,
            ExactGelu => GptActivation.Gelu,
            _ => throw Unsupported(path, $"activation_function is '{activationName}'; the zoo's Gpt computes {Activation} (the tanh approximation of GELU) or {ExactGelu} (the exact erf form)"),
        };
        if (root.TryGetProperty("n_inner", out var inner) && inner.ValueKind != JsonValueKind.Null
            && !(inner.ValueKind == JsonValueKind.Number && inner.TryGetInt64(out var innerWidth) && innerWidth == 4L * width))
            throw Unsupported(path, $"n_inner is {inner.GetRawText()}; the zoo's Gpt has an MLP 4 × n_embd = {4L * width} wide (n_inner null)");
        RequireFlag(root, "tie_word_embeddings", true, path, "an untied output head is not supported: logits are h·wteᵀ");
        RequireFlag(root, "scale_attn_weights", true, path, "attention scores are always divided by √d");
        RequireFlag(root, "scale_attn_by_inverse_layer_idx", false, path, "attention scores are not scaled by layer");
        RequireFlag(root, "add_cross_attention", false, path, "the zoo's Gpt is decoder-only, without cross-attention");

        return BoundedSpec(path, "", layers, heads, width, vocabulary, positions, activation);
    }

    private static int PositiveInteger(JsonElement root, string name, string path)
    {
        if (!root.TryGetProperty(name, out var value))
            throw new CheckpointException(CheckpointErrorKind.Corrupt, path, $"'{path}' has no {name}: a GPT-2 config.json names n_layer, n_head, n_embd, vocab_size and n_positions.");
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number < 1)
            throw new CheckpointException(CheckpointErrorKind.Corrupt, path, $"'{path}': {name} is {value.GetRawText()}, not a positive integer below 2³¹.");
        return number;
    }

    private static string? OptionalString(JsonElement root, string name, string path)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new CheckpointException(CheckpointErrorKind.Corrupt, path, $"'{path}': {name} is {value.GetRawText()}, not a string.");
    }

    private static void RequireFlag(JsonElement root, string name, bool supported, string path, string why)
    {
        if (!root.TryGetProperty(name, out var value)) return;
        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False) || value.GetBoolean() != supported)
            throw Unsupported(path, $"{name} is {value.GetRawText()}; {why}");
    }

    private static CheckpointException Unsupported(string path, string problem) =>
        new(CheckpointErrorKind.Unsupported, path, $"'{path}' is not a GPT-2 the zoo's Gpt computes: {problem}.");
}
