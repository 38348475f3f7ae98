using LossLandscape.Core.Curvature;
using LossLandscape.Core.Data;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.Training;

namespace LossLandscape.Core.Tests.Curvature;

/// <summary>
/// Token sequences with 1, 2 and 4 positions in the loss mask: the mean loss is over the 7 masked
/// positions, so a batch weighs by its masked positions. Then the batch size cannot change the
/// gradient or the Hessian, and both describe the loss Evaluation reports.
/// </summary>
public sealed class TokenWeightingTests
{
    private static readonly long[] Tokens = [1, 4, 2, 6, 0, 3, 3, 5, 1, 2, 6, 0, 4, 4, 1];
    private static readonly long[] Targets =
    [
        -100, -100, -100, -100, 3,
        -100, 2, -100, -100, 5,
        1, 4, 0, 6, -100,
    ];

    [Fact]
    public void BatchesWeighByTheirMaskedPositionsSoTheBatchSizeChangesNeitherGradientNorHessian()
    {
        var runtime = LandscapeRuntime.Load();
        var spec = ModelZoo.DefaultSpec(nameof(Gpt)) with { LayerCount = 1, HeadCount = 2, EmbeddingWidth = 8, ClassCount = 7, ContextLength = 5 };
        using var model = ModelZoo.Create(runtime, spec, seed: 1);
        using var data = new PreloadedDataset(runtime, new DatasetReference("test"), DatasetArrays.FromTokens(Tokens, Targets, 5, 7));
        Assert.Equal(7, data.MaskedTargetCount);
        using var whole = new HessianOperator(model, data, batchSize: 3, float64: true);
        using var single = new HessianOperator(model, data, batchSize: 1, float64: true);

        var direction = new double[whole.Dimension];
        var random = new Random(4);
        for (var i = 0; i < direction.Length; i++) direction[i] = random.NextDouble() - 0.5;
        AssertClose(whole.Gradient(), single.Gradient());
        AssertClose(whole.Apply(direction), single.Apply(direction));
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        var scale = expected.Max(Math.Abs);
        Assert.True(scale > 0);
        var difference = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(difference <= 1e-9 * scale, $"max difference {difference} at scale {scale}");
    }
}
