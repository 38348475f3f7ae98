using LossLandscape.Core.Models;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Tests.Models;

public sealed class ModelNamesTests
{
    public ModelNamesTests() => LandscapeRuntime.Load();

    public static TheoryData<string> ReferenceModels() =>
        new(ReferenceFixtures.ModelNames.EnumerateObject().Select(model => model.Name));

    [Theory]
    [MemberData(nameof(ReferenceModels))]
    public void State_dict_and_parameters_equal_pytorch_in_names_order_and_shapes(string referenceModel)
    {
        var reference = ReferenceFixtures.ModelNames.GetProperty(referenceModel);
        using var model = ModelZoo.Create(LandscapeRuntime.Load(), ReferenceFixtures.Spec(reference.GetProperty("spec")));

        var expectedState = reference.GetProperty("state_dict").EnumerateArray()
            .Select(entry => $"{entry[0].GetString()} [{string.Join(", ", entry[1].EnumerateArray().Select(d => d.GetInt64()))}]")
            .ToList();
        var actualState = model.state_dict()
            .Select(entry => $"{entry.Key} [{string.Join(", ", entry.Value.shape)}]")
            .ToList();
        Assert.Equal(expectedState, actualState);

        var expectedParameters = reference.GetProperty("named_parameters").EnumerateArray().Select(name => name.GetString()!).ToList();
        Assert.Equal(expectedParameters, model.named_parameters().Select(p => p.name).ToList());
        // parameters() is what optimisers and direction vectors walk; it must follow the same order.
        var shapeOf = expectedState.ToDictionary(entry => entry[..entry.IndexOf(' ')]);
        Assert.Equal(
            expectedParameters.Select(name => shapeOf[name]).ToList(),
            model.parameters().Zip(expectedParameters, (p, name) => $"{name} [{string.Join(", ", p.shape)}]").ToList());
        Assert.Equal(reference.GetProperty("parameter_count").GetInt64(), model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void ResNet20_has_the_paper_names_and_parameter_count()
    {
        using var model = ModelZoo.Create(LandscapeRuntime.Load(), ModelZoo.DefaultSpec("ResNet20"));
        var keys = model.state_dict().Keys.ToList();
        var parameterNames = model.named_parameters().Select(p => p.name).ToList();

        Assert.Equal(
            ["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
             "layer1.0.conv1.weight", "layer1.0.bn1.weight", "layer1.0.bn1.bias"],
            keys.Take(9));
        Assert.Equal(
            ["layer3.2.bn2.weight", "layer3.2.bn2.bias", "layer3.2.bn2.running_mean", "layer3.2.bn2.running_var",
             "layer3.2.bn2.num_batches_tracked", "linear.weight", "linear.bias"],
            keys.TakeLast(7));
        // layer1 keeps 16 channels and stride 1, so only the first blocks of layer2 and layer3 project.
        Assert.Equal(
            ["layer2.0.shortcut.0.weight", "layer2.0.shortcut.1.weight", "layer2.0.shortcut.1.bias",
             "layer3.0.shortcut.0.weight", "layer3.0.shortcut.1.weight", "layer3.0.shortcut.1.bias"],
            parameterNames.Where(name => name.Contains(".shortcut.")));

        // 19 convolutions + 2 shortcut convolutions, 19 + 2 BatchNorms (weight and bias), linear weight and bias.
        Assert.Equal(21 + 2 * 21 + 2, parameterNames.Count);

        // conv1 3·16·9 = 432, bn1 32.
        // layer1: 3 blocks × (2 convs 16·16·9 = 2·2304, 2 BNs 2·32) = 3 × 4672 = 14016.
        // layer2: block 0 convs 16·32·9 + 32·32·9 = 4608 + 9216, BNs 128, shortcut 16·32 + 64 = 576 → 14528;
        //         blocks 1, 2: 2·9216 + 128 = 18560 each → 51648.
        // layer3: block 0 convs 32·64·9 + 64·64·9 = 18432 + 36864, BNs 256, shortcut 32·64 + 128 = 2176 → 57728;
        //         blocks 1, 2: 2·36864 + 256 = 73984 each → 205696.
        // linear 64·10 + 10 = 650.  Total 432 + 32 + 14016 + 51648 + 205696 + 650 = 272474.
        const long resNet20Parameters = 272_474;
        Assert.Equal(resNet20Parameters, model.parameters().Sum(p => p.numel()));
        Assert.Equal(resNet20Parameters, ReferenceFixtures.ModelNames.GetProperty("ResNet20").GetProperty("parameter_count").GetInt64());
    }

    [Fact]
    public void Identity_shortcuts_and_NoShort_blocks_hold_no_shortcut_parameters()
    {
        using var plain = ModelZoo.Create(LandscapeRuntime.Load(), ModelZoo.DefaultSpec("ResNet56"));
        using var noShort = ModelZoo.Create(LandscapeRuntime.Load(), ModelZoo.DefaultSpec("ResNet56NoShort"));

        Assert.Equal(6, plain.named_parameters().Count(p => p.name.Contains(".shortcut.")));
        Assert.DoesNotContain(noShort.state_dict().Keys, key => key.Contains("shortcut"));
    }
}
