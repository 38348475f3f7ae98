using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Models;

/// <summary>
/// The reordered state_dict must keep working with TorchSharp's own consumers of state_dict.
/// </summary>
public sealed class PyTorchOrderedModuleTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("LossLandscape.Models.").FullName;

    public PyTorchOrderedModuleTests() => LandscapeRuntime.Load();

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void TorchSharp_save_and_load_restore_weights_and_batchnorm_statistics()
    {
        var spec = ModelZoo.DefaultSpec("DigitsCnn");
        var path = Path.Combine(folder, "digits.dat");
        using var trained = ModelZoo.Create(LandscapeRuntime.Load(), spec);
        using (var batch = LandscapeRuntime.Load().WithGlobalGenerator(null, () => randn(4, 1, 8, 8))) trained.call(batch).Dispose();
        trained.save(path);

        using var restored = ModelZoo.Create(LandscapeRuntime.Load(), spec);
        restored.load(path);

        var expected = trained.state_dict();
        foreach (var (name, tensor) in restored.state_dict())
            Assert.True(tensor.eq(expected[name]).all().item<bool>(), name);
        Assert.Equal(1L, restored.state_dict()["bn1.num_batches_tracked"].item<long>());
    }

    [Fact]
    public void Load_state_dict_accepts_the_reordered_keys()
    {
        var spec = ModelZoo.DefaultSpec("ResNet20") with { InputChannels = 1, InputHeight = 8, InputWidth = 8 };
        using var source = ModelZoo.Create(LandscapeRuntime.Load(), spec);
        using var target = ModelZoo.Create(LandscapeRuntime.Load(), spec);

        var (missing, unexpected) = target.load_state_dict(source.state_dict());

        Assert.Empty(missing);
        Assert.Empty(unexpected);
        Assert.True(target.state_dict()["layer3.0.shortcut.0.weight"].eq(source.state_dict()["layer3.0.shortcut.0.weight"]).all().item<bool>());
    }

    [Fact]
    public void A_prefix_is_joined_with_a_dot_as_in_TorchSharp()
    {
        using var model = ModelZoo.Create(LandscapeRuntime.Load(), ModelZoo.DefaultSpec("Mlp"));

        Assert.Equal("model.layers.0.weight", model.state_dict(prefix: "model").Keys.First());
    }
}
