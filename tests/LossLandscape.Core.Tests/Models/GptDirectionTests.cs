using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.Surfaces;
using LossLandscape.Core.Tests.Checkpoints;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Models;

/// <summary>
/// Directions on the real GPT-2 of Fixtures/Gpt (2 layers, 4 heads, width 64, vocabulary 256): the
/// PyTorch-written TorchScript file and the zoo Gpt, checked against the definitions.
/// </summary>
public sealed class GptDirectionTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Gpt");

    private static readonly ModelSpec FixtureSpec = ModelZoo.DefaultSpec(nameof(Gpt)) with
    {
        LayerCount = 2, HeadCount = 4, EmbeddingWidth = 64, ClassCount = 256, ContextLength = 64,
    };

    private static LandscapeRuntime Runtime => LandscapeRuntime.Load();

    /// <summary>-Parameter 'h.0.*' on the TorchScript GPT-2: block 0's weights move, per output unit; every other entry is exactly zero.</summary>
    [Fact]
    public void OnTheTorchScriptGpt2ParameterH0MovesBlockZeroOnly()
    {
        TorchScriptChild.Configure();
        using var model = TorchScriptCheckpoint.Load(Runtime, Path.Combine(Folder, "gpt.torchscript.pt"));
        var recipe = new DirectionRecipe { CheckpointSha256 = "test", Seed = 5, Parameters = new ParameterSubset(["h.0.*"]) };
        var direction = DirectionFactory.Random(model, recipe);
        var layout = ParameterLayout.Of(model);

        foreach (var entry in layout.Parameters)
        {
            var values = direction.Parameters.AsSpan((int)entry.Offset, (int)entry.Length).ToArray();
            var moves = entry.Name.StartsWith("h.0.", StringComparison.Ordinal) && entry.Rank > 1;
            Assert.True(moves == values.Any(v => v != 0), $"{entry.Name}: moves {moves}, non-zero {values.Any(v => v != 0)}");
        }
        // Block 0's Conv1D weights are normalized per column (output unit): c_fc [64, 256] has 256 units.
        var fc = layout.Parameters.Single(e => e.Name == "h.0.mlp.c_fc.weight");
        using var theta = model.named_parameters().Single(p => p.name == fc.Name).parameter.detach();
        var thetaValues = theta.data<float>().ToArray();
        for (var column = 0; column < 256; column += 37)
        {
            double d = 0, t = 0;
            for (var row = 0; row < 64; row++)
            {
                d += Math.Pow(direction.Parameters[(int)fc.Offset + row * 256 + column], 2);
                t += Math.Pow(thetaValues[row * 256 + column], 2);
            }
            Assert.Equal(Math.Sqrt(t), Math.Sqrt(d), 1e-5 * Math.Sqrt(t));
        }
    }

    /// <summary>
    /// The zoo Gpt has one embedding for input and output: perturbing wte along a direction moves the
    /// logits' head with it — the logits after the move equal those of a model built with wte + αδ
    /// copied in by hand, and there is no second head tensor to drift from it.
    /// </summary>
    [Fact]
    public void PerturbingTheEmbeddingMovesTheTiedHeadWithIt()
    {
        using var model = ModelZoo.Create(Runtime, FixtureSpec with { ContextLength = 8 }, seed: 3);
        model.eval();
        var recipe = new DirectionRecipe { CheckpointSha256 = "test", Seed = 9, Parameters = new ParameterSubset(["wte.*"]) };
        var direction = DirectionFactory.Random(model, recipe);
        var layout = ParameterLayout.Of(model);
        Assert.DoesNotContain(layout.Parameters, e => e.Name.StartsWith("lm_head", StringComparison.Ordinal));
        var wte = layout.Parameters.Single(e => e.Name == "wte.weight");
        using var tokens = tensor(new long[] { 1, 7, 200, 42, 3, 255, 9, 0 }, [1, 8]);

        using var evaluator = new SurfaceEvaluator(model, direction, null);
        evaluator.MoveTo(0.5, 0);
        using var noGrad = no_grad();
        using var moved = model.Forward(tokens);
        evaluator.Restore();

        using var reference = ModelZoo.Create(Runtime, FixtureSpec with { ContextLength = 8 }, seed: 3);
        reference.eval();
        var embedding = reference.named_parameters().Single(p => p.name == "wte.weight").parameter;
        var values = embedding.detach().data<float>().ToArray();
        for (var i = 0; i < values.Length; i++) values[i] += 0.5f * direction.Parameters[(int)wte.Offset + i];
        embedding.detach().copy_(tensor(values, embedding.shape));
        using var expected = reference.Forward(tokens);
        Assert.True((moved - expected).abs().max().item<float>() <= 1e-5);
        // Restored exactly: the move is undone bit for bit.
        using var restored = model.Forward(tokens);
        using var original = ModelZoo.Create(Runtime, FixtureSpec with { ContextLength = 8 }, seed: 3);
        original.eval();
        using var originalLogits = original.Forward(tokens);
        Assert.True(restored.eq(originalLogits).all().item<bool>());
    }
}
