using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.Surfaces;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Models;

/// <summary>
/// The surface engine's inference layouts (channels-last maps, BatchNorm folded into convolutions)
/// still compute what PyTorch computes: outputs equal the ones generate_model_names.py recorded, and
/// the layouts leave the parameters' order, identity and values alone.
/// </summary>
public sealed class InferenceLayoutTests
{
    public InferenceLayoutTests() => LandscapeRuntime.Load();

    public static TheoryData<string, bool, bool> Layouts()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (var name in ReferenceOutputCase.Names)
        {
            data.Add(name, true, false);
            data.Add(name, false, true);
            data.Add(name, true, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Output_still_equals_pytorch(string referenceModel, bool channelsLast, bool foldBatchNorm)
    {
        var reference = ReferenceOutputCase.Load(referenceModel);
        using var model = reference.FilledModel();
        using var input = reference.Input();
        var suits = ChannelsLast.Suits(model);
        Assert.Equal(reference.Spec.Architecture != "Mlp", suits);
        if (channelsLast && suits) ChannelsLast.Apply(model);
        using var folding = foldBatchNorm ? BatchNormFolding.Attach(model) : null;
        folding?.Apply();
        using var noGrad = no_grad();
        using var layoutInput = channelsLast && suits ? ChannelsLast.Of(input) : input.alias();
        using var output = model.call(layoutInput);
        reference.AssertOutputEquals(output, $"{(channelsLast ? "channels-last" : "NCHW")}{(foldBatchNorm ? ", folded" : "")}");
    }

    [Fact]
    public void FoldingPairsEveryConvolutionBatchNormOfResNet20AndUnfoldsCompletely()
    {
        using var model = ModelZoo.Create(LandscapeRuntime.Load(), new ModelSpec { Architecture = "ResNet20", InputChannels = 3, InputHeight = 32, InputWidth = 32 }, seed: 5);
        var namesBefore = model.named_parameters().Select(p => p.name).ToArray();
        // 1 stem + 9 blocks × 2 + 2 projection shortcuts, each conv followed by its BatchNorm.
        using (var folding = BatchNormFolding.Attach(model))
        {
            Assert.Equal(21, folding.PairCount);
            Assert.Equal(21, model.modules().OfType<FoldableBatchNorm2d>().Count(n => n.IsFolded));
        }
        Assert.Equal(namesBefore, model.named_parameters().Select(p => p.name).ToArray());
        Assert.DoesNotContain(model.modules().OfType<FoldableBatchNorm2d>(), n => n.IsFolded);
    }

    [Fact]
    public void FoldedForwardMatchesUnfoldedWithinFloatRounding()
    {
        var spec = new ModelSpec { Architecture = "Vgg9", InputChannels = 3, InputHeight = 16, InputWidth = 16 };
        using var model = ModelZoo.Create(LandscapeRuntime.Load(), spec, seed: 2);
        ReferenceFill.FillState(model, 11);
        model.eval();
        using var input = ReferenceFill.Input(11, [6, 3, 16, 16]);
        using var noGrad = no_grad();
        using var unfolded = model.call(input);
        var theta = ParameterLayout.Of(model).FlattenParameters(model);
        using (var folding = BatchNormFolding.Attach(model))
        {
            folding.Apply();
            using var folded = model.call(input);
            var difference = (folded - unfolded).abs().max().item<float>();
            var size = unfolded.abs().max().item<float>();
            Assert.True(difference <= 1e-5 * size, $"folded differs by {difference} on outputs of size {size}");
            Assert.True(difference > 0 || size == 0, "the fold must actually have run: its rounding shows in the last bits");
        }
        // Folding scales the weights in place; placing θ again is what undoes it.
        Assert.NotEqual(theta, ParameterLayout.Of(model).FlattenParameters(model));
    }

    [Fact]
    public void ChannelsLastKeepsParameterObjectsValuesAndOrder()
    {
        using var model = ModelZoo.Create(LandscapeRuntime.Load(), new ModelSpec { Architecture = "DigitsCnn" }, seed: 4);
        var before = model.named_parameters().Select(p => (p.name, p.parameter.Handle)).ToArray();
        var values = ParameterLayout.Of(model).FlattenParameters(model);
        ChannelsLast.Apply(model);
        Assert.Equal(before, model.named_parameters().Select(p => (p.name, p.parameter.Handle)).ToArray());
        Assert.Equal(values, ParameterLayout.Of(model).FlattenParameters(model));
        var conv = model.modules().OfType<TorchSharp.Modules.Conv2d>().Last();
        Assert.Equal(1, conv.weight!.stride(1));
    }
}
