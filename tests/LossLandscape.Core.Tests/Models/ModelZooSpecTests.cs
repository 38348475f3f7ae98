using LossLandscape.Core.Models;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Tests.Models;

/// <summary>
/// Spec handling: a native error can abort the test host, so every rejection here must come before
/// any torch call. Building needs the runtime, so it is loaded, but no spec reaches libtorch.
/// </summary>
public sealed class ModelZooSpecTests
{
    [Fact]
    public void Architectures_are_the_zoo_names()
    {
        Assert.Equal(
            ["Mlp", "DigitsCnn", "ResNet20", "ResNet32", "ResNet44", "ResNet56", "ResNet110",
             "ResNet20NoShort", "ResNet32NoShort", "ResNet44NoShort", "ResNet56NoShort", "ResNet110NoShort",
             "Vgg9", "WideResNet56", "Gpt"],
            ModelZoo.Architectures);
    }

    [Fact]
    public void Unknown_architecture_is_rejected_with_the_valid_names()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelZoo.Create(LandscapeRuntime.Load(), new ModelSpec { Architecture = "ResNet18" }));

        Assert.Contains("ResNet18", error.Message);
        Assert.Contains(string.Join(", ", ModelZoo.Architectures), error.Message);
        Assert.Throws<ArgumentException>(() => ModelZoo.DefaultSpec("AlexNet"));
    }

    [Fact]
    public void Names_are_case_insensitive_and_defaults_use_the_canonical_spelling()
    {
        var spec = ModelZoo.DefaultSpec("resnet56noshort");

        Assert.Equal("ResNet56NoShort", spec.Architecture);
        Assert.Equal((3, 32, 32, 10), (spec.InputChannels, spec.InputHeight, spec.InputWidth, spec.ClassCount));
        Assert.Equal(ModelZoo.DefaultSpec("ResNet56NoShort"), spec);
    }

    [Fact]
    public void Digits_defaults_are_1x8x8_and_the_Mlp_has_two_hidden_layers()
    {
        var mlp = ModelZoo.DefaultSpec("Mlp");
        var cnn = ModelZoo.DefaultSpec("DigitsCnn");

        Assert.Equal((1, 8, 8, 10), (mlp.InputChannels, mlp.InputHeight, mlp.InputWidth, mlp.ClassCount));
        Assert.Equal([64, 32], mlp.HiddenWidths!);
        Assert.Equal((1, 8, 8, 10), (cnn.InputChannels, cnn.InputHeight, cnn.InputWidth, cnn.ClassCount));
        Assert.Equal(2, ModelZoo.DefaultSpec("WideResNet56").WidthFactor);
    }

    public static TheoryData<ModelSpec> InvalidSpecs() => new(
        ModelZoo.DefaultSpec("ResNet20") with { InputChannels = 0 },
        ModelZoo.DefaultSpec("ResNet20") with { InputHeight = -1 },
        ModelZoo.DefaultSpec("Vgg9") with { InputWidth = 0 },
        ModelZoo.DefaultSpec("DigitsCnn") with { ClassCount = 0 },
        ModelZoo.DefaultSpec("Mlp") with { HiddenWidths = [64, 0] },
        ModelZoo.DefaultSpec("WideResNet56") with { WidthFactor = 0 },
        ModelZoo.DefaultSpec("ResNet56") with { WidthFactor = 2 },
        ModelZoo.DefaultSpec("DigitsCnn") with { InputHeight = 3 },
        ModelZoo.DefaultSpec("Vgg9") with { InputHeight = 4, InputWidth = 4 },
        new ModelSpec { Architecture = "" });

    [Theory]
    [MemberData(nameof(InvalidSpecs))]
    public void Invalid_specs_are_rejected_before_any_native_call(ModelSpec spec)
    {
        Assert.Throws<ArgumentException>(() => ModelZoo.Create(LandscapeRuntime.Load(), spec));
    }
}
