using LossLandscape.Core.Native;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LossLandscape.Core.Models;

/// <summary>
/// Builds the models LossLandscape can train and plot, by architecture name (case-insensitive).
/// Parameter names and order equal those of the same definitions in PyTorch, so checkpoints of the
/// paper's code (tomgoldstein/loss-landscape) map one to one.
/// </summary>
public static class ModelZoo
{
    private const string WideResNet = "WideResNet56";

    /// <summary>Depth and shortcut kind of each CIFAR ResNet name.</summary>
    private static readonly Dictionary<string, (int Depth, bool Shortcuts)> ResNets = new(StringComparer.Ordinal)
    {
        ["ResNet20"] = (20, true),
        ["ResNet32"] = (32, true),
        ["ResNet44"] = (44, true),
        ["ResNet56"] = (56, true),
        ["ResNet110"] = (110, true),
        ["ResNet20NoShort"] = (20, false),
        ["ResNet32NoShort"] = (32, false),
        ["ResNet44NoShort"] = (44, false),
        ["ResNet56NoShort"] = (56, false),
        ["ResNet110NoShort"] = (110, false),
        [WideResNet] = (56, true),
    };

    /// <summary>Every architecture name <see cref="Create"/> accepts, in their canonical spelling.</summary>
    public static IReadOnlyList<string> Architectures { get; } =
    [
        nameof(Mlp), nameof(DigitsCnn),
        "ResNet20", "ResNet32", "ResNet44", "ResNet56", "ResNet110",
        "ResNet20NoShort", "ResNet32NoShort", "ResNet44NoShort", "ResNet56NoShort", "ResNet110NoShort",
        nameof(Vgg9), WideResNet, nameof(Gpt),
    ];

    /// <summary>Hidden widths of the default Mlp.</summary>
    public static IReadOnlyList<int> DefaultHiddenWidths { get; } = [64, 32];

    /// <summary>Width factor k of the default WideResNet56 (the paper plots k = 2, 4 and 8).</summary>
    public const int DefaultWideResNetWidthFactor = 2;

    /// <summary>
    /// The spec an architecture gets when nothing else is given: Mlp and DigitsCnn on the 1×8×8
    /// digits (Mlp with hidden widths 64 and 32), the others on 3×32×32 CIFAR-10 images (WideResNet56
    /// with k = 2); 10 classes throughout. Gpt: 2 blocks of 4 heads, width 128, over the 102 tokens
    /// and 4-token windows of the built-in ModularArithmetic (p = 97), as in Power et al.'s grokking runs.
    /// </summary>
    public static ModelSpec DefaultSpec(string architecture)
    {
        var canonical = CanonicalName(architecture);
        if (canonical == nameof(Gpt))
        {
            return new ModelSpec
            {
                Architecture = canonical,
                InputChannels = 0,
                InputHeight = 0,
                InputWidth = 0,
                ClassCount = 102,
                LayerCount = 2,
                HeadCount = 4,
                EmbeddingWidth = 128,
                ContextLength = 4,
            };
        }
        var onDigits = canonical is nameof(Mlp) or nameof(DigitsCnn);
        return new ModelSpec
        {
            Architecture = canonical,
            InputChannels = onDigits ? 1 : 3,
            InputHeight = onDigits ? 8 : 32,
            InputWidth = onDigits ? 8 : 32,
            ClassCount = 10,
            HiddenWidths = canonical == nameof(Mlp) ? DefaultHiddenWidths : null,
            WidthFactor = canonical == WideResNet ? DefaultWideResNetWidthFactor : 1,
        };
    }

    /// <summary>
    /// Builds a freshly initialised model for <paramref name="spec"/>. An Mlp whose HiddenWidths is
    /// null or empty has no hidden layer. The spec is checked completely before any native call, so a
    /// bad spec gives an <see cref="ArgumentException"/> rather than a libtorch error.
    /// </summary>
    /// <param name="runtime">Holds the lock on libtorch's process-wide generator that every initialisation draws from.</param>
    /// <param name="seed">Seeds libtorch's generator for the initial weights; the same seed gives the same weights.</param>
    public static Module<Tensor, Tensor> Create(LandscapeRuntime runtime, ModelSpec spec, long? seed = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var canonical = CanonicalName(spec.Architecture);
        Validate(spec, canonical);

        ArgumentNullException.ThrowIfNull(runtime);
        // Initialisation draws from libtorch's process-wide generator: every build, seeded or not, holds its lock.
        return runtime.WithGlobalGenerator(seed, () => Build(spec, canonical));
    }

    private static Module<Tensor, Tensor> Build(ModelSpec spec, string canonical)
    {
        if (canonical == nameof(Gpt)) return new Gpt(spec.LayerCount, spec.HeadCount, spec.EmbeddingWidth, spec.ClassCount, spec.ContextLength, spec.Activation);
        if (canonical == nameof(Mlp))
        {
            var inputFeatures = (long)spec.InputChannels * spec.InputHeight * spec.InputWidth;
            return new Mlp(inputFeatures, spec.HiddenWidths ?? [], spec.ClassCount);
        }
        if (canonical == nameof(DigitsCnn)) return new DigitsCnn(spec.InputChannels, spec.InputHeight, spec.InputWidth, spec.ClassCount);
        if (canonical == nameof(Vgg9)) return new Vgg9(spec.InputChannels, spec.InputHeight, spec.InputWidth, spec.ClassCount);
        var (depth, shortcuts) = ResNets[canonical];
        return new CifarResNet(depth, shortcuts, spec.WidthFactor, spec.InputChannels, spec.ClassCount);
    }

    /// <summary>Whether a CIFAR ResNet name (canonical spelling) adds its blocks' inputs back; false for the NoShort nets.</summary>
    internal static bool HasShortcuts(string canonicalResNet) => ResNets[canonicalResNet].Shortcuts;

    internal static string CanonicalName(string? architecture) =>
        Architectures.FirstOrDefault(name => string.Equals(name, architecture, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException(
            // No parameter name: it would add "(Parameter 'architecture')" to a message users read.
            $"Unknown architecture '{architecture}'. Valid architectures: {string.Join(", ", Architectures)}.");

    private static void Validate(ModelSpec spec, string canonical)
    {
        if (canonical == nameof(Gpt))
        {
            ValidateGpt(spec);
            return;
        }
        if (spec.LayerCount != 0 || spec.HeadCount != 0 || spec.EmbeddingWidth != 0 || spec.ContextLength != 0)
        {
            // Otherwise two specs that differ only in ignored transformer fields would name the same model.
            throw new ArgumentException(
                $"LayerCount, HeadCount, EmbeddingWidth and ContextLength apply only to {nameof(Gpt)}; {canonical} needs 0, got {spec.LayerCount}, {spec.HeadCount}, {spec.EmbeddingWidth} and {spec.ContextLength}.",
                nameof(spec));
        }
        if (spec.Activation != GptActivation.GeluNew)
            throw new ArgumentException($"Activation applies only to {nameof(Gpt)}; {canonical} needs {GptActivation.GeluNew}, got {spec.Activation}.", nameof(spec));
        RequirePositive(spec.InputChannels, nameof(ModelSpec.InputChannels));
        RequirePositive(spec.InputHeight, nameof(ModelSpec.InputHeight));
        RequirePositive(spec.InputWidth, nameof(ModelSpec.InputWidth));
        RequirePositive(spec.ClassCount, nameof(ModelSpec.ClassCount));

        if (canonical == WideResNet)
        {
            if (spec.WidthFactor < 1)
                throw new ArgumentException($"WidthFactor of {WideResNet} must be at least 1, got {spec.WidthFactor}.", nameof(spec));
        }
        else if (spec.WidthFactor != 1)
        {
            // Otherwise two specs that differ only in an ignored WidthFactor would name the same model.
            throw new ArgumentException($"WidthFactor applies only to {WideResNet}; {canonical} needs 1, got {spec.WidthFactor}.", nameof(spec));
        }

        if (canonical == nameof(Mlp))
        {
            foreach (var width in spec.HiddenWidths ?? [])
                RequirePositive(width, nameof(ModelSpec.HiddenWidths));
        }
        else if (canonical == nameof(DigitsCnn))
        {
            RequireMinimumInput(spec, canonical, DigitsCnn.MinimumInputSize);
        }
        else if (canonical == nameof(Vgg9))
        {
            RequireMinimumInput(spec, canonical, Vgg9.MinimumInputSize);
        }
    }

    /// <summary>
    /// A token model has no image input: InputChannels, InputHeight and InputWidth are 0 (as for a
    /// TorchScript model), and the window length is bounded by ContextLength instead.
    /// </summary>
    private static void ValidateGpt(ModelSpec spec)
    {
        if (spec.InputChannels != 0 || spec.InputHeight != 0 || spec.InputWidth != 0)
            throw new ArgumentException(
                $"{nameof(Gpt)} reads token windows, not images: InputChannels, InputHeight and InputWidth must be 0, got {spec.InputChannels}×{spec.InputHeight}×{spec.InputWidth}.",
                nameof(spec));
        if (spec.WidthFactor != 1)
            throw new ArgumentException($"WidthFactor applies only to {WideResNet}; {nameof(Gpt)} needs 1, got {spec.WidthFactor}.", nameof(spec));
        if (spec.HiddenWidths is { Count: > 0 })
            throw new ArgumentException($"HiddenWidths apply only to {nameof(Mlp)}; {nameof(Gpt)}'s MLP is 4 × EmbeddingWidth wide.", nameof(spec));
        RequirePositive(spec.ClassCount, nameof(ModelSpec.ClassCount));
        RequirePositive(spec.LayerCount, nameof(ModelSpec.LayerCount));
        RequirePositive(spec.HeadCount, nameof(ModelSpec.HeadCount));
        RequirePositive(spec.EmbeddingWidth, nameof(ModelSpec.EmbeddingWidth));
        RequirePositive(spec.ContextLength, nameof(ModelSpec.ContextLength));
        if (!Enum.IsDefined(spec.Activation))
            throw new ArgumentException($"{nameof(Gpt)}'s Activation is {GptActivation.GeluNew} or {GptActivation.Gelu}, got {(int)spec.Activation}.", nameof(spec));
        if (spec.EmbeddingWidth % spec.HeadCount != 0)
            throw new ArgumentException($"{nameof(Gpt)}'s {spec.HeadCount} heads must split EmbeddingWidth {spec.EmbeddingWidth} evenly.", nameof(spec));
    }

    private static void RequirePositive(int value, string name)
    {
        if (value < 1) throw new ArgumentException($"{name} must be positive, got {value}.", "spec");
    }

    private static void RequireMinimumInput(ModelSpec spec, string canonical, int minimum)
    {
        if (spec.InputHeight < minimum || spec.InputWidth < minimum)
            throw new ArgumentException(
                $"{canonical} pools its input down and needs at least {minimum}×{minimum}, got {spec.InputHeight}×{spec.InputWidth}.",
                nameof(spec));
    }
}
