using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.Specs;
using LossLandscape.Core.Surfaces;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Directions;

/// <summary>
/// Directions on GPT-2's parameter set: a 2-block model with exactly GPT-2's names, shapes and order
/// (vocabulary 11, 6 positions, width 8, 2 heads of 4), holding seeded values. Directions read only
/// parameters, so it needs no forward.
/// </summary>
public sealed class TransformerDirectionTests : IDisposable
{
    private const int Vocabulary = 11, Positions = 6, Width = 8, Heads = 2, HeadWidth = Width / Heads, Blocks = 2;

    private readonly Node model;

    public TransformerDirectionTests()
    {
        LandscapeRuntime.Load();
        model = GptParameters(seed: 17);
    }

    public void Dispose() => model.Dispose();

    /// <summary>A module that only holds what it is given, under the names it is given, in that order.</summary>
    private sealed class Node : nn.Module
    {
        public Node() : base(nameof(Node))
        {
        }

        public Node Child(string name, nn.Module child)
        {
            register_module(name, child);
            return this;
        }

        public Node Holding(string name, Parameter parameter)
        {
            register_parameter(name, parameter);
            return this;
        }
    }

    private static Node GptParameters(long seed)
    {
        using var generator = new Generator((ulong)seed);
        // Every value random and non-zero, LayerNorm γ/β and biases included, so "copied" and "zero" differ.
        Parameter Values(params long[] shape) => new(rand(shape, generator: generator).add(0.5));
        Node Layer(long[] weight, long bias) => new Node().Holding("weight", Values(weight)).Holding("bias", Values(bias));
        var root = new Node()
            .Child("wte", new Node().Holding("weight", Values(Vocabulary, Width)))
            .Child("wpe", new Node().Holding("weight", Values(Positions, Width)));
        var blocks = new Node();
        for (var b = 0; b < Blocks; b++)
        {
            blocks.Child(b.ToString(System.Globalization.CultureInfo.InvariantCulture), new Node()
                .Child("ln_1", Layer([Width], Width))
                .Child("attn", new Node().Child("c_attn", Layer([Width, 3 * Width], 3 * Width)).Child("c_proj", Layer([Width, Width], Width)))
                .Child("ln_2", Layer([Width], Width))
                .Child("mlp", new Node().Child("c_fc", Layer([Width, 4 * Width], 4 * Width)).Child("c_proj", Layer([4 * Width, Width], Width))));
        }
        return root.Child("h", blocks).Child("ln_f", Layer([Width], Width));
    }

    private static DirectionRecipe Recipe(DirectionNormalization normalization = DirectionNormalization.Filter, long seed = 5, bool ignore = true, params string[] subset) =>
        new()
        {
            CheckpointSha256 = "test",
            Normalization = normalization,
            Seed = seed,
            IgnoreBiasAndNorm = ignore,
            Parameters = subset.Length == 0 ? null : new ParameterSubset(subset),
        };

    private static readonly string[] Conv1DWeights =
        Enumerable.Range(0, Blocks).SelectMany(b => new[] { $"h.{b}.attn.c_attn.weight", $"h.{b}.attn.c_proj.weight", $"h.{b}.mlp.c_fc.weight", $"h.{b}.mlp.c_proj.weight" }).ToArray();

    [Fact]
    public void TheTestModelHasGpt2sNamesShapesAndOrder()
    {
        var expected = new List<(string, string)> { ("wte.weight", "11,8"), ("wpe.weight", "6,8") };
        for (var b = 0; b < Blocks; b++)
        {
            expected.AddRange([
                ($"h.{b}.ln_1.weight", "8"), ($"h.{b}.ln_1.bias", "8"),
                ($"h.{b}.attn.c_attn.weight", "8,24"), ($"h.{b}.attn.c_attn.bias", "24"),
                ($"h.{b}.attn.c_proj.weight", "8,8"), ($"h.{b}.attn.c_proj.bias", "8"),
                ($"h.{b}.ln_2.weight", "8"), ($"h.{b}.ln_2.bias", "8"),
                ($"h.{b}.mlp.c_fc.weight", "8,32"), ($"h.{b}.mlp.c_fc.bias", "32"),
                ($"h.{b}.mlp.c_proj.weight", "32,8"), ($"h.{b}.mlp.c_proj.bias", "8")]);
        }
        expected.AddRange([("ln_f.weight", "8"), ("ln_f.bias", "8")]);

        Assert.Equal(expected, ParameterLayout.Of(model).Parameters.Select(p => (p.Name, string.Join(",", p.Shape))));
    }

    [Fact]
    public void GptLayoutPutsConv1DUnitsInColumnsAndEveryOtherWeightsInRows()
    {
        var layout = ParameterLayout.Of(model);

        Assert.Equal(Conv1DWeights, layout.Parameters.Where(p => GptLayout.IsConv1DWeight(p.Name, p.Rank)).Select(p => p.Name));
        Assert.Equal(Conv1DWeights, layout.Parameters.Where(p => p.UnitAxis == 1).Select(p => p.Name));
        // The prefix of a Hugging Face file does not change the rule; a rank-1 bias of the same layer is no Conv1D weight.
        Assert.Equal(1, GptLayout.UnitAxis("transformer.h.11.mlp.c_fc.weight", 2));
        Assert.Equal(0, GptLayout.UnitAxis("transformer.wte.weight", 2));
        Assert.False(GptLayout.IsConv1DWeight("h.0.mlp.c_fc.bias", 1));
        Assert.False(GptLayout.IsConv1DWeight("h.0.mlp.c_fc.weight", 1));
        // A CNN's and an MLP's names never match it.
        Assert.All(new[] { "conv1.weight", "layers.0.weight", "fc.weight", "layer1.0.conv2.weight" }, name => Assert.Equal(0, GptLayout.UnitAxis(name, 2)));
    }

    [Fact]
    public void FilterNormalizationGivesEveryOutputUnitThetasNorm()
    {
        var direction = DirectionFactory.Random(model, Recipe());
        var layout = ParameterLayout.Of(model);
        var theta = layout.FlattenParameters(model);

        foreach (var entry in layout.Parameters.Where(e => e.Rank == 2))
        {
            var (rows, columns) = (entry.Shape[0], entry.Shape[1]);
            var columnUnits = Conv1DWeights.Contains(entry.Name);
            var units = columnUnits ? columns : rows;
            Assert.True(units > 1);
            for (long unit = 0; unit < units; unit++)
            {
                IEnumerable<long> Cells() => columnUnits
                    ? Enumerable.Range(0, (int)rows).Select(r => r * columns + unit)
                    : Enumerable.Range(0, (int)columns).Select(c => unit * columns + c);
                AssertNorm(direction.Parameters, theta, entry, Cells(), $"{entry.Name} unit {unit}");
            }
        }
        // With the default IgnoreBiasAndNorm, biases and LayerNorm γ/β do not move.
        Assert.All(layout.Parameters.Where(e => e.Rank == 1), e => Assert.All(Slice(direction.Parameters, e), v => Assert.Equal(0f, v)));
    }

    [Fact]
    public void HeadNormalizationGivesEveryHeadsQKVColumnsAndProjectionRowsThetasNorm()
    {
        var direction = DirectionFactory.Random(model, Recipe(DirectionNormalization.Head), Heads);
        var layout = ParameterLayout.Of(model);
        var theta = layout.FlattenParameters(model);
        var blocksChecked = 0;

        foreach (var entry in layout.Parameters.Where(e => e.Name.EndsWith("attn.c_attn.weight", StringComparison.Ordinal)))
        {
            var columns = 3 * Width;
            for (var part = 0; part < 3; part++)
            {
                for (var head = 0; head < Heads; head++)
                {
                    var first = part * Width + head * HeadWidth;
                    var cells = from r in Enumerable.Range(0, Width) from c in Enumerable.Range(first, HeadWidth) select (long)(r * columns + c);
                    AssertNorm(direction.Parameters, theta, entry, cells, $"{entry.Name} {"QKV"[part]} head {head}");
                    blocksChecked++;
                }
            }
        }
        foreach (var entry in layout.Parameters.Where(e => e.Name.EndsWith("attn.c_proj.weight", StringComparison.Ordinal)))
        {
            for (var head = 0; head < Heads; head++)
            {
                var cells = from r in Enumerable.Range(head * HeadWidth, HeadWidth) from c in Enumerable.Range(0, Width) select (long)(r * Width + c);
                AssertNorm(direction.Parameters, theta, entry, cells, $"{entry.Name} head {head}");
                blocksChecked++;
            }
        }
        Assert.Equal(Blocks * (3 * Heads + Heads), blocksChecked);

        // A head block is not a column: within one, the columns do not each carry θ*'s column norm.
        var attention = layout.Parameters.First(e => e.Name == "h.0.attn.c_attn.weight");
        var column = Enumerable.Range(0, Width).Select(r => (long)(r * 3 * Width));
        Assert.False(NormsAgree(direction.Parameters, theta, attention, column));

        // Every other tensor is the Filter direction of the same seed, bit for bit.
        var filter = DirectionFactory.Random(model, Recipe());
        foreach (var entry in layout.Parameters.Where(e => !e.Name.Contains(".attn.", StringComparison.Ordinal) || e.Rank == 1))
            Assert.Equal(Slice(filter.Parameters, entry), Slice(direction.Parameters, entry));
    }

    [Fact]
    public void LayerNormAndBiasesAreZeroWhenIgnoredAndCopyThetaOtherwise()
    {
        var layout = ParameterLayout.Of(model);
        var theta = layout.FlattenParameters(model);
        var layerNorms = layout.Parameters.Where(e => e.Name.Contains(".ln_", StringComparison.Ordinal) || e.Name.StartsWith("ln_f.", StringComparison.Ordinal)).ToArray();
        Assert.Equal(4 * Blocks + 2, layerNorms.Length);
        Assert.All(layerNorms, e => Assert.Equal(ParameterRole.Bias, e.Role));
        var vectors = layout.Parameters.Where(e => e.Rank == 1).ToArray();
        Assert.All(vectors, e => Assert.Equal(ParameterRole.Bias, e.Role));

        foreach (var normalization in new[] { DirectionNormalization.Filter, DirectionNormalization.Head })
        {
            var ignored = DirectionFactory.Random(model, Recipe(normalization), Heads);
            var copied = DirectionFactory.Random(model, Recipe(normalization, ignore: false), Heads);
            foreach (var entry in vectors)
            {
                Assert.All(Slice(ignored.Parameters, entry), v => Assert.Equal(0f, v));
                Assert.Equal(Slice(theta, entry), Slice(copied.Parameters, entry));
            }
            // The weights are the same draw either way.
            var weights = layout.Parameters.Where(e => e.Rank == 2);
            Assert.All(weights, e => Assert.Equal(Slice(ignored.Parameters, e), Slice(copied.Parameters, e)));
        }
    }

    [Theory]
    [InlineData(DirectionNormalization.Filter)]
    [InlineData(DirectionNormalization.Head)]
    public void TheSameSeedGivesTheSameBitsAndAnotherSeedOthers(DirectionNormalization normalization)
    {
        var first = DirectionFactory.Random(model, Recipe(normalization, seed: 31), Heads);
        using var rebuilt = GptParameters(seed: 17);
        var again = DirectionFactory.Random(rebuilt, Recipe(normalization, seed: 31), Heads);
        var other = DirectionFactory.Random(model, Recipe(normalization, seed: 32), Heads);

        Assert.Equal(first.Parameters.Select(BitConverter.SingleToInt32Bits), again.Parameters.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(first.Sha256, again.Sha256);
        Assert.NotEqual(first.Sha256, other.Sha256);
    }

    [Fact]
    public void HeadNormalizationIsRefusedWithoutAttentionHeadsOrAHeadCountThatSplitsThem()
    {
        using var cnn = ModelZoo.Create(LandscapeRuntime.Load(), ModelZoo.DefaultSpec("DigitsCnn"));

        var noAttention = Assert.Throws<ArgumentException>(() => DirectionFactory.Random(cnn, Recipe(DirectionNormalization.Head), 4));
        var noCount = Assert.Throws<ArgumentException>(() => DirectionFactory.Random(model, Recipe(DirectionNormalization.Head)));
        var uneven = Assert.Throws<ArgumentException>(() => DirectionFactory.Random(model, Recipe(DirectionNormalization.Head), 3));

        Assert.Contains("this model has none; use Filter", noAttention.Message);
        Assert.Contains("needs the number of attention heads (n_head)", noCount.Message);
        Assert.Contains("'h.0.attn.c_attn.weight' is [8×24], which is not [C×3C] with C divisible into 3 heads", uneven.Message);
    }

    [Fact]
    public void HeadNormalizationOfACheckpointWithoutHeadsIsRefusedBeforeItsModelIsRead()
    {
        // The state file does not exist: reaching the model would fail otherwise.
        var metadata = new CheckpointMetadata { Model = ModelZoo.DefaultSpec("DigitsCnn"), StateFile = "missing.dat", StateSha256 = "abc" };
        var cnn = new CheckpointInfo("/nonexistent/missing.dat", "/nonexistent/missing.json", metadata, [], [], 0);
        var torchScript = cnn with
        {
            Metadata = metadata with { Model = new ModelSpec { Architecture = TorchScriptCheckpoint.ArchitectureName } },
            Format = CheckpointFormat.TorchScript,
        };
        var recipe = Recipe(DirectionNormalization.Head) with { CheckpointSha256 = "abc" };

        var cnnError = Assert.Throws<ArgumentException>(() => DirectionBuilder.Build(LandscapeRuntime.Load(), cnn, recipe));
        var scriptError = Assert.Throws<ArgumentException>(() => DirectionBuilder.Build(LandscapeRuntime.Load(), torchScript, recipe));

        Assert.Contains("missing is a DigitsCnn, which has no attention heads: use Filter", cnnError.Message);
        Assert.Contains("which a TorchScript file does not record", scriptError.Message);
    }

    [Theory]
    [InlineData("attention", "h.*.attn.*")]
    [InlineData("mlp", "h.*.mlp.*")]
    [InlineData("block0", "h.0.*")]
    [InlineData("embedding", "wte.*", "wpe.*")]
    public void ParameterPatternsMoveExactlyTheirPartOfAGpt(string part, params string[] patterns)
    {
        string[] Block(int b, string layer) => [$"h.{b}.{layer}.weight", $"h.{b}.{layer}.bias"];
        var expected = part switch
        {
            "attention" => new[] { 0, 1 }.SelectMany(b => Block(b, "attn.c_attn").Concat(Block(b, "attn.c_proj"))).ToHashSet(),
            "mlp" => new[] { 0, 1 }.SelectMany(b => Block(b, "mlp.c_fc").Concat(Block(b, "mlp.c_proj"))).ToHashSet(),
            "block0" => new[] { "ln_1", "attn.c_attn", "attn.c_proj", "ln_2", "mlp.c_fc", "mlp.c_proj" }.SelectMany(layer => Block(0, layer)).ToHashSet(),
            _ => new HashSet<string> { "wte.weight", "wpe.weight" },
        };
        var layout = ParameterLayout.Of(model);
        var whole = DirectionFactory.Random(model, Recipe(DirectionNormalization.Head, ignore: false), Heads);

        var direction = DirectionFactory.Random(model, Recipe(DirectionNormalization.Head, ignore: false, subset: patterns), Heads);

        foreach (var entry in layout.Parameters)
        {
            var values = Slice(direction.Parameters, entry);
            if (expected.Contains(entry.Name))
            {
                Assert.All(values, v => Assert.NotEqual(0f, v));
                Assert.Equal(Slice(whole.Parameters, entry), values);
            }
            else
            {
                Assert.All(values, v => Assert.Equal(0f, v));
            }
        }
    }

    [Fact]
    public void ASubsetOfLayerNormsAloneIsRefusedWhileTheyAreIgnored()
    {
        var error = Assert.Throws<SpecException>(() => DirectionFactory.Random(model, Recipe(subset: "h.0.ln_1.*")));
        var moved = DirectionFactory.Random(model, Recipe(ignore: false, subset: "h.0.ln_1.*"));
        var layout = ParameterLayout.Of(model);
        var theta = layout.FlattenParameters(model);

        Assert.Equal(SpecProblem.Parameter, error.Problem);
        Assert.Contains("names only biases and BatchNorm or LayerNorm γ/β, which -IgnoreBiasAndNorm leaves out", error.Message);
        var gamma = layout.Parameters.Single(e => e.Name == "h.0.ln_1.weight");
        Assert.Equal(Slice(theta, gamma), Slice(moved.Parameters, gamma));
    }

    [Fact]
    public void AHeadDirectionFileRoundTripsItsNormalization()
    {
        var layout = ParameterLayout.Of(model);
        var directions = new[] { 0, 1 }.Select(axis => DirectionFactory.Random(model, Recipe(DirectionNormalization.Head) with { Axis = axis }, Heads)).ToArray();
        var path = Path.Combine(Path.GetTempPath(), $"head-directions-{Guid.NewGuid():N}.h5");
        try
        {
            DirectionStore.Write(path, layout, directions);
            var read = DirectionStore.Read(path, layout, "test");

            Assert.Equal([DirectionNormalization.Head, DirectionNormalization.Head], read.Select(d => d.Recipe.Normalization));
            Assert.Equal(directions.Select(d => d.Recipe), read.Select(d => d.Recipe));
            Assert.Equal(directions.Select(d => d.Sha256), read.Select(d => d.Sha256));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ATensorSharedByTwoLayersIsOneEntryAndStaysOneTensorWhenPerturbed()
    {
        using var generator = new Generator(3);
        var shared = new Parameter(randn([Vocabulary, Width], generator: generator));
        using var tied = new Node()
            .Child("wte", new Node().Holding("weight", shared))
            .Child("ln_f", new Node().Holding("weight", new Parameter(ones(Width))).Holding("bias", new Parameter(zeros(Width))))
            .Child("lm_head", new Node().Holding("weight", shared));
        var layout = ParameterLayout.Of(tied);
        var theta = layout.FlattenParameters(tied);

        // named_parameters() lists a shared tensor once, under its first name, as PyTorch does; state_dict() keeps both names.
        Assert.Equal(["wte.weight", "ln_f.weight", "ln_f.bias"], layout.Parameters.Select(p => p.Name));
        Assert.Equal(Vocabulary * Width + 2 * Width, layout.ParameterLength);
        Assert.Contains(layout.StateEntries, e => e.Name == "lm_head.weight");

        var x = DirectionFactory.Random(tied, Recipe());
        var y = DirectionFactory.Random(tied, Recipe() with { Axis = 1 });
        Assert.Equal(layout.ParameterLength, x.Parameters.Length);
        using (var surface = new SurfaceEvaluator(tied, x, y))
        {
            surface.MoveTo(0.75, -0.5);
            var state = tied.state_dict();
            Assert.True(OneStorage(state["wte.weight"], state["lm_head.weight"]));
            var moved = state["lm_head.weight"].contiguous().data<float>().ToArray();
            for (var i = 0; i < moved.Length; i++)
            {
                var expected = theta[i] + 0.75 * x.Parameters[i] - 0.5 * y.Parameters[i];
                Assert.True(Math.Abs(moved[i] - expected) <= 1e-6 * (1 + Math.Abs(expected)), $"element {i}: {moved[i]} vs {expected}");
            }
        }
        var restored = tied.state_dict();
        Assert.True(OneStorage(restored["wte.weight"], restored["lm_head.weight"]));
        Assert.Equal(theta.Take(Vocabulary * Width), restored["lm_head.weight"].contiguous().data<float>().ToArray());
    }

    /// <summary>Whether a write through <paramref name="a"/> shows in <paramref name="b"/>; a's value is put back exactly.</summary>
    private static bool OneStorage(Tensor a, Tensor b)
    {
        using var noGrad = no_grad();
        var saved = a[0, 0].item<float>();
        var marker = saved + 1000f;
        a[0, 0].fill_(marker);
        var seen = b[0, 0].item<float>();
        a[0, 0].fill_(saved);
        return seen == marker;
    }

    private static float[] Slice(float[] flat, ParameterEntry entry) => flat.AsSpan((int)entry.Offset, (int)entry.Length).ToArray();

    private static void AssertNorm(float[] direction, float[] theta, ParameterEntry entry, IEnumerable<long> cells, string unit)
    {
        var (d, w) = Norms(direction, theta, entry, cells);
        Assert.True(w > 0);
        Assert.True(Math.Abs(d - w) <= 1e-5 * w, $"{unit}: ‖d‖ = {d}, ‖θ*‖ = {w}");
    }

    private static bool NormsAgree(float[] direction, float[] theta, ParameterEntry entry, IEnumerable<long> cells)
    {
        var (d, w) = Norms(direction, theta, entry, cells);
        return Math.Abs(d - w) <= 1e-5 * w;
    }

    private static (double Direction, double Theta) Norms(float[] direction, float[] theta, ParameterEntry entry, IEnumerable<long> cells)
    {
        double d = 0, w = 0;
        foreach (var cell in cells)
        {
            var i = entry.Offset + cell;
            d += (double)direction[i] * direction[i];
            w += (double)theta[i] * theta[i];
        }
        return (Math.Sqrt(d), Math.Sqrt(w));
    }
}
