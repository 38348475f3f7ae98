using System.Buffers.Binary;
using LossLandscape.Core.Alignment;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Checkpoints.Formats;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.Tests.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;
using Xunit.Abstractions;

namespace LossLandscape.Core.Tests.Models;

/// <summary>
/// The zoo Gpt against the GPT-2 that Fixtures/Gpt/make_gpt_reference.py builds in plain PyTorch
/// (2 layers, 4 heads, width 64, vocabulary 256, 64 positions) and writes as safetensors in three
/// dtypes and as TorchScript, with the logits and next-token losses PyTorch computed on three
/// 16-token windows.
/// </summary>
public sealed class GptTests(ITestOutputHelper output)
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Gpt");

    private static readonly ModelSpec FixtureSpec = ModelZoo.DefaultSpec(nameof(Gpt)) with
    {
        LayerCount = 2, HeadCount = 4, EmbeddingWidth = 64, ClassCount = 256, ContextLength = 64,
    };

    internal static readonly StateDictionary Reference = SafetensorsReader.Read(Path.Combine(Folder, "reference.safetensors")).State;

    private static LandscapeRuntime Runtime => LandscapeRuntime.Load();

    [Fact]
    public void ParameterNamesShapesAndOrderAreGpt2sWithoutLmHead()
    {
        using var model = ModelZoo.Create(Runtime, FixtureSpec, seed: 1);
        var file = SafetensorsReader.Read(Path.Combine(Folder, "hf-f32", "model.safetensors")).State;
        var expected = GptLayout.Parameters(FixtureSpec).Select(p => $"{p.Name} [{string.Join(",", p.Shape)}]").ToArray();

        Assert.Equal(2 + 2 * 12 + 2, expected.Length);
        Assert.Equal(expected, model.named_parameters().Select(p => $"{p.name} [{string.Join(",", p.parameter.shape)}]"));
        Assert.Equal(expected, model.state_dict().Select(p => $"{p.Key} [{string.Join(",", p.Value.shape)}]"));
        Assert.Equal(expected, file.Tensors.Select(t => $"{t.Name} [{string.Join(",", t.Shape)}]"));
        // 256·64 + 64·64 + 2·(12·64² + 13·64) + 2·64 parameters.
        Assert.Equal(120_576L, model.parameters().Sum(p => p.numel()));
    }

    [Theory]
    [InlineData("f32", TensorDType.Float32)]
    [InlineData("f16", TensorDType.Float16)]
    [InlineData("bf16", TensorDType.BFloat16)]
    public void WeightsOfEachDtypeUpcastToFloat32GivePyTorchsLogitsAndLoss(string variant, TensorDType dtype)
    {
        var file = SafetensorsReader.Read(Path.Combine(Folder, $"hf-{variant}", "model.safetensors")).State;
        Assert.All(file.Tensors, t => Assert.Equal(dtype, t.DType));
        using var model = ModelZoo.Create(Runtime, FixtureSpec, seed: 1);
        Fill(model, file);
        model.eval();

        using var tokens = ReferenceTokens();
        using var noGrad = no_grad();
        using var logits = model.call(tokens);
        using var expected = ReferenceTensor($"logits.{variant}");
        var logitDifference = (logits - expected).abs().max().item<float>();
        var loss = NextTokenLoss(logits, tokens);
        var expectedLoss = BinaryPrimitives.ReadDoubleLittleEndian(Reference[$"loss.{variant}"].Data);
        output.WriteLine($"{variant}: max |Δlogit| = {logitDifference:E2} (|logit| ≤ {expected.abs().max().item<float>():F2}), loss {loss:F9} vs PyTorch {expectedLoss:F9}, |Δ| = {Math.Abs(loss - expectedLoss):E2}");

        Assert.Equal([3L, 16L, 256L], logits.shape);
        Assert.True(logitDifference <= 1e-5, $"max |Δlogit| = {logitDifference}");
        Assert.True(Math.Abs(loss - expectedLoss) <= 1e-6, $"loss {loss} vs {expectedLoss}");
    }

    [Fact]
    public void TheReferenceTellsGeluNewFromExactGeluAndEachDtypeFromFloat32()
    {
        // Without these gaps the 1e-5 comparisons above could not notice the wrong GELU or a dtype that was not upcast faithfully.
        using var gelu = ReferenceTensor("logits.f32");
        using var exact = ReferenceTensor("logits.nanogpt");
        using var half = ReferenceTensor("logits.f16");
        using var bfloat = ReferenceTensor("logits.bf16");

        Assert.True((gelu - exact).abs().max().item<float>() > 1e-4);
        Assert.True((gelu - half).abs().max().item<float>() > 1e-4);
        Assert.True((gelu - bfloat).abs().max().item<float>() > 1e-3);
    }

    [Fact]
    public void TheTorchScriptGpt2HasTheCanonicalNamesAndTheSameLogits()
    {
        TorchScriptChild.Configure();
        using var model = TorchScriptCheckpoint.Load(Runtime, Path.Combine(Folder, "gpt.torchscript.pt"));
        using var tokens = ReferenceTokens();
        using var noGrad = no_grad();
        using var logits = model.Forward(tokens);
        using var expected = ReferenceTensor("logits.f32");

        Assert.Equal(GptLayout.Parameters(FixtureSpec).Select(p => p.Name), model.named_parameters().Select(p => p.name));
        Assert.True((logits - expected).abs().max().item<float>() <= 1e-5, $"max |Δlogit| = {(logits - expected).abs().max().item<float>()}");
    }

    [Fact]
    public void TheSeedDecidesTheInitialWeightsAndTheyFollowGpt2sInit()
    {
        var spec = ModelZoo.DefaultSpec(nameof(Gpt));
        using var first = ModelZoo.Create(Runtime, spec, seed: 5);
        using var again = ModelZoo.Create(Runtime, spec, seed: 5);
        using var other = ModelZoo.Create(Runtime, spec, seed: 6);
        var weights = first.named_parameters().ToDictionary(p => p.name, p => p.parameter);

        Assert.All(first.parameters().Zip(again.parameters()), pair => Assert.True(pair.First.eq(pair.Second).all().item<bool>()));
        Assert.False(first.parameters().First().eq(other.parameters().First()).all().item<bool>());
        // 128×384 draws: the sample deviation is within 1 % of σ (3σ of its spread); the seed fixes the draw.
        Assert.InRange(weights["h.0.attn.c_attn.weight"].std().item<float>(), 0.0198, 0.0202);
        Assert.InRange(weights["wte.weight"].std().item<float>(), 0.0196, 0.0204);
        // The residual projections: σ = 0.02 / √(2 · 2 layers) = 0.01.
        Assert.InRange(weights["h.1.mlp.c_proj.weight"].std().item<float>(), 0.0099, 0.0101);
        Assert.InRange(weights["h.1.attn.c_proj.weight"].std().item<float>(), 0.0098, 0.0102);
        Assert.Equal(0f, weights["h.0.mlp.c_fc.bias"].abs().max().item<float>());
        Assert.Equal(1f, weights["ln_f.weight"].min().item<float>());
    }

    [Fact]
    public void APositionSeesNoLaterToken()
    {
        using var model = ModelZoo.Create(Runtime, FixtureSpec, seed: 3);
        model.eval();
        using var tokens = tensor(new long[] { 5, 17, 200, 3, 99, 42 }, [1, 6]);
        using var changed = tokens.clone();
        changed[0, 4] = tensor(7L);
        using var noGrad = no_grad();
        using var before = model.call(tokens);
        using var after = model.call(changed);

        Assert.True(before[.., ..4].eq(after[.., ..4]).all().item<bool>());
        Assert.True((before[.., 4..] - after[.., 4..]).abs().max().item<float>() > 1e-3);
    }

    [Fact]
    public void AHessianVectorProductThroughAttentionMatchesCentralDifferencesOfTheGradient()
    {
        // Small enough for float64 and many repetitions, with every part of the block present.
        var spec = ModelZoo.DefaultSpec(nameof(Gpt)) with { LayerCount = 2, HeadCount = 2, EmbeddingWidth = 8, ClassCount = 11, ContextLength = 6 };
        using var model = ModelZoo.Create(Runtime, spec, seed: 9);
        model.to(ScalarType.Float64);
        model.eval();
        var parameters = model.parameters().ToArray();
        using var tokens = tensor(new long[] { 1, 4, 9, 2, 10, 0, 3, 3, 7, 5, 8, 6 }, [2, 6]);
        var direction = Runtime.WithGlobalGenerator(4, () => parameters.Select(p => randn_like(p)).ToArray());
        // A unit vector: ε is then the length of the step in parameter space.
        var length = Math.Sqrt(direction.Sum(v => v.square().sum().item<double>()));
        foreach (var v in direction) v.div_(length);

        // Pearlmutter's double backward, as HessianOperator.Apply does it (retain_graph on both calls).
        double[] product;
        using (enable_grad())
        {
            using var loss = NextTokenLossTensor(model.call(tokens), tokens);
            var gradients = autograd.grad([loss], parameters, retain_graph: true, create_graph: true);
            var projection = gradients.Zip(direction, (g, v) => (g * v).sum()).Aggregate((a, b) => a + b);
            product = Flatten(autograd.grad([projection], parameters, retain_graph: true, create_graph: false));
        }

        // In float64 the central difference errs by ε²·|∇³L[v,v,·]|/6 plus rounding ≈ 1e-16·|∇L|/ε;
        // ε = 1e-5 keeps both near 1e-9 relative (measured: 2e-9), 50× below the tolerance, where a
        // wrong second derivative of any op (softmax, mask, gelu_new, LayerNorm) would be off by O(1).
        const double epsilon = 1e-5;
        var plus = GradientAt(model, parameters, direction, epsilon, tokens);
        var minus = GradientAt(model, parameters, direction, -epsilon, tokens);
        var difference = plus.Zip(minus, (a, b) => (a - b) / (2 * epsilon)).ToArray();

        var norm = Math.Sqrt(product.Sum(x => x * x));
        var error = Math.Sqrt(product.Zip(difference, (a, b) => (a - b) * (a - b)).Sum());
        output.WriteLine($"‖Hv‖ = {norm:E3}, ‖Hv − central difference‖ = {error:E3}, relative {error / norm:E2}");
        Assert.True(norm > 1e-2, $"‖Hv‖ = {norm}: too small to test anything");
        Assert.True(error <= 1e-7 * norm, $"relative error {error / norm}");
    }

    [Fact]
    public void TokenInputsStayInt64WhereCurvatureComputesInFloat64()
    {
        // HessianOperator and the sharpness objective move each batch to the parameters' dtype through this.
        using var tokens = tensor(new long[] { 1, 2, 3 }, [1, 3]);
        using var pixels = tensor(new[] { 0.5f, 0.25f, 1f }, [1, 3]);
        using var keptTokens = tokens.ToModelInput(ScalarType.Float64, CPU);
        using var widenedPixels = pixels.ToModelInput(ScalarType.Float64, CPU);

        Assert.Equal(ScalarType.Int64, keptTokens.dtype);
        Assert.Equal([1L, 2L, 3L], keptTokens.data<long>().ToArray());
        Assert.Equal(ScalarType.Float64, widenedPixels.dtype);
        Assert.Equal([0.5, 0.25, 1.0], widenedPixels.data<double>().ToArray());
    }

    [Theory]
    [InlineData("too long")]
    [InlineData("float")]
    [InlineData("rank 3")]
    [InlineData("outside the vocabulary")]
    [InlineData("negative")]
    public void BadTokensAreArgumentExceptionsBeforeAnyEmbedding(string problem)
    {
        var spec = ModelZoo.DefaultSpec(nameof(Gpt));
        using var model = ModelZoo.Create(Runtime, spec, seed: 1);
        using var input = problem switch
        {
            "too long" => zeros([2, spec.ContextLength + 1], ScalarType.Int64),
            "float" => zeros([2, 3], ScalarType.Float32),
            "rank 3" => zeros([2, 3, 1], ScalarType.Int64),
            "outside the vocabulary" => full([2, 3], spec.ClassCount, ScalarType.Int64),
            _ => full([2, 3], -1, ScalarType.Int64),
        };

        var error = Assert.Throws<ArgumentException>(() => model.call(input));
        Assert.Contains(problem switch
        {
            "too long" => "1 to 4 tokens",
            "float" => "int64",
            "rank 3" => "[batch, length]",
            _ => "0 to 101",
        }, error.Message);
    }

    [Theory]
    [InlineData(0, 4, 128, 4, "LayerCount must be positive")]
    [InlineData(2, 3, 128, 4, "split EmbeddingWidth 128 evenly")]
    [InlineData(2, 4, 128, 0, "ContextLength must be positive")]
    public void ABadGptShapeIsRefusedBeforeAnyNativeCall(int layers, int heads, int width, int context, string message)
    {
        var spec = ModelZoo.DefaultSpec(nameof(Gpt)) with { LayerCount = layers, HeadCount = heads, EmbeddingWidth = width, ContextLength = context };
        var error = Assert.Throws<ArgumentException>(() => ModelZoo.Create(Runtime, spec));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void TransformerFieldsOnAnImageModelAndImageFieldsOnGptAreRefused()
    {
        var mlp = Assert.Throws<ArgumentException>(() => ModelZoo.Create(Runtime, ModelZoo.DefaultSpec("Mlp") with { LayerCount = 2 }));
        var gpt = Assert.Throws<ArgumentException>(() => ModelZoo.Create(Runtime, ModelZoo.DefaultSpec(nameof(Gpt)) with { InputChannels = 1, InputHeight = 8, InputWidth = 8 }));

        Assert.Contains("apply only to Gpt", mlp.Message);
        Assert.Contains("must be 0, got 1×8×8", gpt.Message);
    }

    [Fact]
    public void ACheckpointRoundTripsThroughTheStoreAndWeightMatchingRefusesIt()
    {
        var spec = ModelZoo.DefaultSpec(nameof(Gpt));
        var directory = Directory.CreateTempSubdirectory("gpt-").FullName;
        try
        {
            using var model = ModelZoo.Create(Runtime, spec, seed: 2);
            var written = CheckpointStore.Write(Runtime, model, new CheckpointMetadata { Model = spec, StateFile = "", StateSha256 = "" }, directory, "gpt");
            var info = CheckpointStore.Read(Runtime, written.StatePath);
            using var loaded = CheckpointStore.LoadModel(Runtime, info);

            Assert.Equal(spec, info.Metadata.Model);
            Assert.Equal((2, 4, 128, 4, 102), (info.Metadata.Model.LayerCount, info.Metadata.Model.HeadCount, info.Metadata.Model.EmbeddingWidth, info.Metadata.Model.ContextLength, info.Metadata.Model.ClassCount));
            Assert.All(model.parameters().Zip(loaded.parameters()), pair => Assert.True(pair.First.eq(pair.Second).all().item<bool>()));
            var error = Assert.Throws<AlignmentException>(() => CheckpointAlignment.Align(Runtime, new AlignmentSpec { Reference = info, Target = info }));
            Assert.Equal(AlignmentProblem.UnsupportedModel, error.Problem);
            Assert.Contains("is a Gpt", error.Message);
            Assert.Throws<ArgumentException>(() => PermutationSpec.For(spec, ParameterLayout.Of(Runtime, spec)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("h.3.attn.c_attn.weight", 2, 1)]
    [InlineData("transformer.h.0.mlp.c_proj.weight", 2, 1)]
    [InlineData("h.0.mlp.c_fc.weight", 2, 1)]
    [InlineData("h.0.attn.c_proj.weight", 2, 1)]
    [InlineData("h.0.attn.c_proj.bias", 1, 0)]
    [InlineData("wte.weight", 2, 0)]
    [InlineData("wpe.weight", 2, 0)]
    [InlineData("layers.0.weight", 2, 0)]
    [InlineData("h.0.attn.c_attn.weight", 3, 0)]
    [InlineData("h.0.xattn.c_attn.weight", 2, 0)]
    public void OnlyGpt2sFourConv1DWeightsHaveTheirUnitsAlongDim1(string name, int rank, int axis) =>
        Assert.Equal(axis, GptLayout.UnitAxis(name, rank));

    private static void Fill(nn.Module model, StateDictionary state)
    {
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            var entry = state[name];
            using var values = tensor(entry.ToFloat32(), entry.Shape);
            parameter.copy_(values);
        }
    }

    internal static Tensor ReferenceTokens()
    {
        var entry = Reference["tokens"];
        return tensor(entry.ToInt64(), entry.Shape);
    }

    internal static Tensor ReferenceTensor(string name)
    {
        var entry = Reference[name];
        return tensor(entry.ToFloat32(), entry.Shape);
    }

    /// <summary>Mean cross-entropy of predicting token t+1 at position t, in float64 from the float32 logits, as the generator computes it.</summary>
    internal static double NextTokenLoss(Tensor logits, Tensor tokens)
    {
        using var loss = NextTokenLossTensor(logits.to(ScalarType.Float64), tokens);
        return loss.item<double>();
    }

    private static Tensor NextTokenLossTensor(Tensor logits, Tensor tokens)
    {
        var (length, vocabulary) = (logits.shape[1], logits.shape[2]);
        return nn.functional.cross_entropy(logits[.., ..(int)(length - 1)].reshape(-1, vocabulary), tokens[.., 1..].reshape(-1));
    }

    private static double[] GradientAt(nn.Module model, Parameter[] parameters, Tensor[] direction, double step, Tensor tokens)
    {
        var saved = parameters.Select(p => p.detach().clone()).ToArray();
        try
        {
            using (no_grad())
            {
                for (var i = 0; i < parameters.Length; i++) parameters[i].add_(direction[i], alpha: step);
            }
            using var enabled = enable_grad();
            using var loss = NextTokenLossTensor(model.Forward(tokens), tokens);
            return Flatten(autograd.grad([loss], parameters));
        }
        finally
        {
            using var noGrad = no_grad();
            for (var i = 0; i < parameters.Length; i++) parameters[i].copy_(saved[i]);
        }
    }

    private static double[] Flatten(IEnumerable<Tensor> parts)
    {
        using var flat = cat(parts.Select(p => p.reshape(-1)).ToList(), 0).to(ScalarType.Float64);
        return flat.data<double>().ToArray();
    }
}
