using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Directions;

public sealed class DirectionFactoryTests : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> model;

    public DirectionFactoryTests()
    {
        LandscapeRuntime.Load();
        model = ModelZoo.Create(LandscapeRuntime.Load(), ModelZoo.DefaultSpec("ResNet20") with { InputChannels = 1, InputHeight = 8, InputWidth = 8 });
        // Give BN γ/β and biases non-trivial values so "copied from θ*" is distinguishable from defaults.
        using var noGrad = no_grad();
        using var generator = new Generator(99);
        foreach (var parameter in model.parameters().Where(p => p.dim() <= 1)) parameter.copy_(rand(parameter.shape, generator: generator));
    }

    public void Dispose() => model.Dispose();

    private static DirectionRecipe Recipe(DirectionNormalization normalization = DirectionNormalization.Filter, long seed = 5, int axis = 0, bool ignore = true) =>
        new() { CheckpointSha256 = "test", Normalization = normalization, Seed = seed, Axis = axis, IgnoreBiasAndNorm = ignore };

    [Fact]
    public void FilterNormalizationGivesEveryFilterTheNormOfTheSameFilterOfTheta()
    {
        var direction = DirectionFactory.Random(model, Recipe());
        var layout = ParameterLayout.Of(model);
        var theta = layout.FlattenParameters(model);
        foreach (var entry in layout.Parameters)
        {
            if (entry.Rank <= 1)
            {
                Assert.All(Slice(direction.Parameters, entry.Offset, entry.Length), v => Assert.Equal(0f, v));
                continue;
            }
            var filterLength = entry.Length / entry.Shape[0];
            for (long f = 0; f < entry.Shape[0]; f++)
            {
                var d = Norm(Slice(direction.Parameters, entry.Offset + f * filterLength, filterLength));
                var w = Norm(Slice(theta, entry.Offset + f * filterLength, filterLength));
                Assert.True(Math.Abs(d - w) <= 1e-5 * w, $"{entry.Name} filter {f}: {d} vs {w}");
            }
        }
    }

    [Fact]
    public void WithoutIgnoringBiasAndNormThoseTensorsCopyTheta()
    {
        var direction = DirectionFactory.Random(model, Recipe(ignore: false));
        var layout = ParameterLayout.Of(model);
        var theta = layout.FlattenParameters(model);
        var small = layout.Parameters.Where(e => e.Rank <= 1).ToArray();
        Assert.NotEmpty(small);
        foreach (var entry in small)
        {
            Assert.Equal(Slice(theta, entry.Offset, entry.Length), Slice(direction.Parameters, entry.Offset, entry.Length));
        }
        // The conv weights are the same draw whichever way biases are treated.
        var ignored = DirectionFactory.Random(model, Recipe());
        var conv = layout.Parameters.First(e => e.Rank == 4);
        Assert.Equal(Slice(ignored.Parameters, conv.Offset, conv.Length), Slice(direction.Parameters, conv.Offset, conv.Length));
    }

    [Fact]
    public void UnknownNormalizationDescribesFilesAndMakesNoRandomDirection()
    {
        var error = Assert.Throws<ArgumentException>(() => DirectionFactory.Random(model, Recipe(DirectionNormalization.Unknown)));

        Assert.Contains("Filter, Head, Layer, Weight or None, not Unknown", error.Message);
    }

    [Fact]
    public void LayerAndWeightNormalizationFollowTheirDefinitions()
    {
        var layout = ParameterLayout.Of(model);
        var theta = layout.FlattenParameters(model);
        var layer = DirectionFactory.Random(model, Recipe(DirectionNormalization.Layer));
        var raw = DirectionFactory.Random(model, Recipe(DirectionNormalization.None));
        var weight = DirectionFactory.Random(model, Recipe(DirectionNormalization.Weight));
        foreach (var entry in layout.Parameters.Where(e => e.Rank > 1))
        {
            var w = Norm(Slice(theta, entry.Offset, entry.Length));
            Assert.True(Math.Abs(Norm(Slice(layer.Parameters, entry.Offset, entry.Length)) - w) <= 1e-5 * w);
            for (var i = entry.Offset; i < entry.Offset + entry.Length; i++)
            {
                Assert.Equal(raw.Parameters[i] * theta[i], weight.Parameters[i]);
            }
        }
        // The raw draw is N(0, 1): its sample moments over ~270k entries are close to 0 and 1.
        var conv = layout.Parameters.Where(e => e.Rank > 1).SelectMany(e => Slice(raw.Parameters, e.Offset, e.Length)).ToArray();
        Assert.InRange(conv.Average(v => (double)v), -0.01, 0.01);
        Assert.InRange(conv.Average(v => (double)v * v), 0.98, 1.02);
    }

    [Fact]
    public void SameSeedSameDirectionEvenOnConcurrentThreads()
    {
        var results = new DirectionVector[4];
        Parallel.For(0, results.Length, i => results[i] = DirectionFactory.Random(model, Recipe()));
        Assert.All(results, r => Assert.Equal(results[0].Sha256, r.Sha256));
        Assert.NotEqual(results[0].Sha256, DirectionFactory.Random(model, Recipe(axis: 1)).Sha256);
        Assert.NotEqual(results[0].Sha256, DirectionFactory.Random(model, Recipe(seed: 6)).Sha256);
    }

    [Fact]
    public void OrthogonalizedDirectionIsOrthogonalAndKeepsItsNorm()
    {
        var x = DirectionFactory.Random(model, Recipe());
        var y = DirectionFactory.Random(model, Recipe(axis: 1));
        var orthogonal = DirectionFactory.Orthogonalize(y, x);
        Assert.InRange(Math.Abs(orthogonal.CosineTo(x)), 0, 1e-6);
        Assert.Equal(y.Norm, orthogonal.Norm, y.Norm * 1e-6);
        Assert.True(orthogonal.Recipe.Orthogonalized);
        // Two independent Gaussian draws in ~270k dimensions are nearly orthogonal already.
        Assert.InRange(Math.Abs(x.CosineTo(y)), 0, 0.02);
    }

    [Fact]
    public void TargetDirectionIsTheDifferenceOfTheTwoModels()
    {
        using var target = ModelZoo.Create(LandscapeRuntime.Load(), ModelZoo.DefaultSpec("ResNet20") with { InputChannels = 1, InputHeight = 8, InputWidth = 8 });
        var recipe = new DirectionRecipe { Kind = DirectionKind.Target, CheckpointSha256 = "a", TargetSha256 = "b", BatchNormStatistics = BatchNormStatistics.Interpolate };
        var direction = DirectionFactory.Target(model, target, recipe);
        var layout = ParameterLayout.Of(model);
        var theta = layout.FlattenParameters(model);
        var thetaTarget = layout.FlattenParameters(target);
        for (var i = 0; i < theta.Length; i++) Assert.Equal(thetaTarget[i] - theta[i], direction.Parameters[i]);
        Assert.NotNull(direction.Buffers);
        Assert.Equal(layout.BufferLength, direction.Buffers!.Length);
        Assert.DoesNotContain(layout.Buffers, b => b.Name.EndsWith("num_batches_tracked", StringComparison.Ordinal));
    }

    private static float[] Slice(float[] values, long offset, long length) => values.AsSpan((int)offset, (int)length).ToArray();

    private static double Norm(float[] values) => Math.Sqrt(values.Sum(v => (double)v * v));
}
