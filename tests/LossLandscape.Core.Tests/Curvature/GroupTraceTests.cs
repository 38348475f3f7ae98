using LossLandscape.Core.Curvature;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Tests.Curvature;

public sealed class GroupTraceTests
{
    public GroupTraceTests() => LandscapeRuntime.Load();

    [Fact]
    public void LayersAndBlocksGroupConsecutiveParametersByName()
    {
        string[] names = ["conv1.weight", "bn1.weight", "bn1.bias", "layer1.0.conv1.weight", "layer1.0.bn1.weight", "layer1.1.conv1.weight", "linear.weight", "linear.bias", "scale"];
        long[] lengths = [9, 2, 2, 18, 2, 18, 20, 10, 1];
        var layers = ParameterGroups.Of(names, lengths, HessianGrouping.Layer);
        Assert.Equal(["conv1", "bn1", "layer1.0.conv1", "layer1.0.bn1", "layer1.1.conv1", "linear", "scale"], layers.Select(g => g.Name));
        var blocks = ParameterGroups.Of(names, lengths, HessianGrouping.Block);
        Assert.Equal(["conv1", "bn1", "layer1.0", "layer1.1", "linear", "scale"], blocks.Select(g => g.Name));
        Assert.Equal([0, 9, 13, 33, 51, 81], blocks.Select(g => g.Offset));
        Assert.Equal([9, 4, 20, 18, 30, 1], blocks.Select(g => g.Length));
    }

    [Fact]
    public void OnADiagonalHessianEachGroupTraceIsExact()
    {
        // Hutchinson is exact for every probe when H is diagonal, so each share equals its block's trace.
        var diagonal = Enumerable.Range(1, 12).Select(i => i * 0.5 - 2).ToArray();
        var estimator = new HutchinsonTraceEstimator(v => v.Select((x, i) => x * diagonal[i]).ToArray(), diagonal.Length) { Seed = 4 };
        ParameterGroup[] groups = [new("a", 0, 5), new("b", 5, 7)];
        var (total, perGroup) = estimator.Estimate(3, groups);
        Assert.Equal(diagonal.Sum(), total.Trace, 1e-12);
        Assert.Equal(diagonal[..5].Sum(), perGroup[0].Trace, 1e-12);
        Assert.Equal(diagonal[5..].Sum(), perGroup[1].Trace, 1e-12);
    }

    [Fact]
    public void GroupTracesOfAModelSumToTheWholeEstimateFromTheSameProbes()
    {
        using var data = HessianTestModels.Digits(30);
        using var model = HessianTestModels.Softplus(seed: 2);
        using var hessian = new HessianOperator(model, data, batchSize: 30, float64: true);
        var lengths = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.numel());
        var groups = ParameterGroups.Of(hessian.ParameterNames, hessian.ParameterNames.Select(n => lengths[n]).ToArray(), HessianGrouping.Layer);
        Assert.Equal(["1", "3"], groups.Select(g => g.Name));

        var estimator = new HutchinsonTraceEstimator(hessian.Apply, hessian.Dimension) { Seed = 9 };
        var (total, perGroup) = estimator.Estimate(8, groups);
        Assert.Equal(total.Trace, perGroup.Sum(g => g.Trace), 1e-10 * Math.Abs(total.Trace));
        for (var probe = 0; probe < total.Probes; probe++)
            Assert.Equal(total.Samples[probe], perGroup.Sum(g => g.Samples[probe]), 1e-10 * Math.Abs(total.Samples[probe]));
        // The same probes as the plain estimate: grouping costs no Hessian-vector product and changes nothing.
        var plain = new HutchinsonTraceEstimator(hessian.Apply, hessian.Dimension) { Seed = 9 }.Estimate(8);
        Assert.Equal(plain.Samples, total.Samples);
        Assert.All(perGroup, g => Assert.NotEqual(0, g.Trace));
    }
}
