using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Models;

public sealed class ModelForwardTests
{
    public ModelForwardTests() => LandscapeRuntime.Load();

    // Gpt reads tokens, not images: GptTests covers it.
    public static TheoryData<string> ImageArchitectures() => new(ModelZoo.Architectures.Where(name => name != nameof(Gpt)));

    [Theory]
    [MemberData(nameof(ImageArchitectures))]
    public void Every_architecture_maps_a_batch_to_class_scores(string architecture)
    {
        // The 1×8×8 digits input keeps even ResNet110 and VGG-9 forwards to a few milliseconds.
        var spec = ModelZoo.DefaultSpec(architecture) with { InputChannels = 1, InputHeight = 8, InputWidth = 8, ClassCount = 7 };
        using var model = ModelZoo.Create(LandscapeRuntime.Load(), spec);
        model.eval();
        using var input = LandscapeRuntime.Load().WithGlobalGenerator(null, () => randn(3, 1, 8, 8));
        using var output = model.call(input);

        Assert.Equal([3L, 7L], output.shape);
    }

    [Theory]
    [InlineData("ResNet20", 3, 32, 32)]
    [InlineData("ResNet20NoShort", 2, 8, 12)]
    [InlineData("DigitsCnn", 3, 13, 9)]
    [InlineData("Vgg9", 2, 5, 7)]
    [InlineData("Mlp", 2, 3, 5)]
    public void Input_channels_and_size_come_from_the_spec(string architecture, int channels, int height, int width)
    {
        var spec = ModelZoo.DefaultSpec(architecture) with { InputChannels = channels, InputHeight = height, InputWidth = width };
        using var model = ModelZoo.Create(LandscapeRuntime.Load(), spec);
        model.train();
        using var input = LandscapeRuntime.Load().WithGlobalGenerator(null, () => randn(2, channels, height, width));
        using var output = model.call(input);

        Assert.Equal([2L, 10L], output.shape);
    }

    [Theory]
    [InlineData("ResNet20")]
    [InlineData("ResNet20NoShort")]
    [InlineData("Vgg9")]
    [InlineData("DigitsCnn")]
    public void Backward_reaches_every_parameter(string architecture)
    {
        // The forwards dispose their intermediates; autograd must still hold what it needs.
        var spec = ModelZoo.DefaultSpec(architecture) with { InputChannels = 1, InputHeight = 8, InputWidth = 8 };
        using var model = ModelZoo.Create(LandscapeRuntime.Load(), spec);
        model.train();
        using var input = LandscapeRuntime.Load().WithGlobalGenerator(null, () => randn(4, 1, 8, 8));
        using var output = model.call(input);
        using var loss = output.square().mean();
        loss.backward();

        Assert.All(model.named_parameters(), p => Assert.True(p.parameter.grad is { } grad && grad.abs().sum().item<float>() > 0, p.name));
    }

    [Fact]
    public void WideResNet56_width_factor_multiplies_every_stage_width()
    {
        using var model = ModelZoo.Create(LandscapeRuntime.Load(), ModelZoo.DefaultSpec("WideResNet56") with { WidthFactor = 3 });
        var shapes = model.state_dict().ToDictionary(entry => entry.Key, entry => entry.Value.shape);

        Assert.Equal([48L, 3, 3, 3], shapes["conv1.weight"]);
        Assert.Equal([96L, 48, 3, 3], shapes["layer2.0.conv1.weight"]);
        Assert.Equal([192L, 96, 1, 1], shapes["layer3.0.shortcut.0.weight"]);
        Assert.Equal([10L, 192], shapes["linear.weight"]);
    }

    [Fact]
    public void Mlp_without_hidden_widths_is_a_single_linear_layer()
    {
        using var model = ModelZoo.Create(LandscapeRuntime.Load(), ModelZoo.DefaultSpec("Mlp") with { HiddenWidths = null });

        Assert.Equal(["layers.0.weight", "layers.0.bias"], model.named_parameters().Select(p => p.name));
    }
}
