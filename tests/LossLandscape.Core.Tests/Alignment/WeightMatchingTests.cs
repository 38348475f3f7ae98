using LossLandscape.Core.Alignment;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Alignment;

public sealed class WeightMatchingTests
{
    private static LandscapeRuntime Runtime => LandscapeRuntime.Load();

    // Gpt has no permutation spec; GptTests checks that alignment refuses it.
    public static TheoryData<string> ImageArchitectures() => new(ModelZoo.Architectures.Where(name => name != nameof(Gpt)));

    [Theory]
    [MemberData(nameof(ImageArchitectures))]
    public void APermutedCopyComputesTheSameLogitsAndAligningItBackRestoresEveryBit(string architecture)
    {
        var spec = SmallSpec(architecture);
        var permutationSpec = PermutationSpec.For(spec, ParameterLayout.Of(Runtime, spec));
        using var model = ModelZoo.Create(Runtime, spec, seed: 7);
        model.eval();
        var original = RandomizeVectors(model, seed: 11);
        var shuffles = permutationSpec.Groups.Select((g, i) => DeterministicShuffle.Permutation(g.Size, DeterministicShuffle.DeriveSeed(99, i))).ToArray();
        var permuted = permutationSpec.Apply(original, shuffles);

        using var input = Runtime.WithGlobalGenerator(5, () => randn(4, spec.InputChannels, spec.InputHeight, spec.InputWidth));
        using var expected = model.call(input);
        CheckpointAlignment.WriteState(model, permuted);
        using var actual = model.call(input);
        // Only the order of the sums inside each layer changed.
        Assert.True(expected.abs().max().item<float>() > 0.1f, "the logits are too small to show anything");
        Assert.True(expected.allclose(actual, rtol: 0, atol: 1e-5), $"max |Δlogit| = {(expected - actual).abs().max().item<float>()}");
        if (permutationSpec.Groups.Count > 0)
            Assert.Contains(original.Keys, name => !original[name].SequenceEqual(permuted[name]));

        var result = WeightMatching.Match(permutationSpec, original, permuted, seed: 1);
        Assert.True(result.Converged);
        var aligned = permutationSpec.Apply(permuted, result.Permutations.Select(p => p.Permutation).ToArray());
        foreach (var (name, values) in original) Assert.Equal(values, aligned[name]);
        Assert.Equal(WeightMatching.Objective(permutationSpec, original, original), result.ObjectiveAfter);
        Assert.True(result.ObjectiveAfter > result.ObjectiveBefore || permutationSpec.Groups.Count == 0);
    }

    [Theory]
    [InlineData("Mlp")]
    [InlineData("DigitsCnn")]
    [InlineData("ResNet20")]
    [InlineData("ResNet20NoShort")]
    public void IdenticalCheckpointsGiveIdentityPermutationsAfterOneSweep(string architecture)
    {
        var spec = SmallSpec(architecture);
        var permutationSpec = PermutationSpec.For(spec, ParameterLayout.Of(Runtime, spec));
        using var model = ModelZoo.Create(Runtime, spec, seed: 3);
        var state = CheckpointAlignment.ReadState(model);

        var result = WeightMatching.Match(permutationSpec, state, state, seed: 4);

        Assert.True(result.Converged);
        Assert.Equal(1, result.Iterations);
        Assert.All(result.Permutations, p => Assert.Equal(0, p.Moved));
        Assert.Equal(result.ObjectiveBefore, result.ObjectiveAfter);
    }

    [Theory]
    [InlineData("DigitsCnn")]
    [InlineData("ResNet20")]
    public void AligningAnIndependentModelRaisesTheObjectiveAndKeepsItsFunction(string architecture)
    {
        var spec = SmallSpec(architecture);
        var permutationSpec = PermutationSpec.For(spec, ParameterLayout.Of(Runtime, spec));
        using var reference = ModelZoo.Create(Runtime, spec, seed: 1);
        using var target = ModelZoo.Create(Runtime, spec, seed: 2);
        target.eval();
        var referenceState = RandomizeVectors(reference, seed: 21);
        var targetState = RandomizeVectors(target, seed: 22);

        var result = WeightMatching.Match(permutationSpec, referenceState, targetState, seed: 9);
        var again = WeightMatching.Match(permutationSpec, referenceState, targetState, seed: 9);

        Assert.True(result.Converged);
        Assert.True(result.ObjectiveAfter > result.ObjectiveBefore);
        Assert.Contains(result.Permutations, p => p.Moved > 0);
        Assert.Equal(result.Permutations.Select(p => p.Permutation), again.Permutations.Select(p => p.Permutation));
        Assert.Equal(result.ObjectiveAfter, again.ObjectiveAfter);
        // The aligned target is the same function as the target: only its units' order changed.
        using var input = Runtime.WithGlobalGenerator(5, () => randn(4, spec.InputChannels, spec.InputHeight, spec.InputWidth));
        using var before = target.call(input);
        CheckpointAlignment.WriteState(target, permutationSpec.Apply(targetState, result.Permutations.Select(p => p.Permutation).ToArray()));
        using var after = target.call(input);
        Assert.True(before.allclose(after, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void TheGroupsFollowTheArchitecture()
    {
        string[] Names(string architecture) => [.. Spec(architecture).Groups.Select(g => $"{g.Name}:{g.Size}")];

        Assert.Equal(["layers.0:12", "layers.2:7", "layers.4:5"], Names("Mlp"));
        Assert.Equal(["conv1:16", "conv2:32", "conv3:32"], Names("DigitsCnn"));
        Assert.Equal(["features.0:64", "features.3:64", "features.7:128", "features.10:128", "features.14:256", "features.17:256", "features.20:256", "fc.0:256"], Names("Vgg9"));
        // One residual stream per stage (the stem writes the first), one group inside each block.
        var resNet = Names("ResNet20");
        Assert.Equal(12, resNet.Length);
        Assert.Equal(["layer1:16", "layer1.0.conv1:16", "layer1.1.conv1:16", "layer1.2.conv1:16", "layer2.0.conv1:32", "layer2:32"], resNet[..6]);
        Assert.Equal(19, Names("ResNet20NoShort").Length);
        Assert.Contains("layer3.2.conv2:64", Names("ResNet20NoShort"));

        // A projection shortcut reads the old stream and writes the new one with its BatchNorm.
        var layer2 = Spec("ResNet20").Groups.Single(g => g.Name == "layer2");
        Assert.Contains(layer2.Axes, a => a is { Tensor: "layer2.0.shortcut.0.weight", Dimension: 0 });
        Assert.Contains(layer2.Axes, a => a is { Tensor: "layer2.0.shortcut.1.running_var", Dimension: 0, IsParameter: false });
        Assert.Contains(layer2.Axes, a => a is { Tensor: "layer3.0.shortcut.0.weight", Dimension: 1 });
        // The Linear after DigitsCnn's flatten reads each channel's 2×2 map as one block.
        var conv3 = Spec("DigitsCnn").Groups.Single(g => g.Name == "conv3");
        Assert.Contains(conv3.Axes, a => a is { Tensor: "linear.weight", Dimension: 1, Outer: 10, Inner: 4 });
    }

    [Fact]
    public void TheSweepOrderComesFromTheSeedAndTheCapIsReported()
    {
        var spec = SmallSpec("Mlp");
        var permutationSpec = PermutationSpec.For(spec, ParameterLayout.Of(Runtime, spec));
        using var reference = ModelZoo.Create(Runtime, spec, seed: 1);
        using var target = ModelZoo.Create(Runtime, spec, seed: 2);
        var a = CheckpointAlignment.ReadState(reference);
        var b = CheckpointAlignment.ReadState(target);

        var capped = WeightMatching.Match(permutationSpec, a, b, seed: 0, maxIterations: 1);
        Assert.Equal(1, capped.Iterations);
        Assert.False(capped.Converged);
        var calls = new List<(int Sweep, int Matched)>();
        var full = WeightMatching.Match(permutationSpec, a, b, seed: 0, groupMatched: (sweep, matched) => calls.Add((sweep, matched)));
        Assert.True(full.Converged);
        // Three groups per sweep, reported in order.
        Assert.Equal(Enumerable.Range(1, full.Iterations).SelectMany(sweep => new[] { (sweep, 1), (sweep, 2), (sweep, 3) }), calls);
        Assert.InRange(full.Iterations, 2, WeightMatching.DefaultMaxIterations);
        Assert.True(full.ObjectiveAfter >= capped.ObjectiveAfter);
        Assert.Throws<ArgumentOutOfRangeException>(() => WeightMatching.Match(permutationSpec, a, b, seed: 0, maxIterations: 0));
    }

    [Fact]
    public void NonFiniteOrMissingValuesAreRefused()
    {
        var spec = SmallSpec("Mlp");
        var permutationSpec = PermutationSpec.For(spec, ParameterLayout.Of(Runtime, spec));
        using var model = ModelZoo.Create(Runtime, spec, seed: 1);
        var state = CheckpointAlignment.ReadState(model);
        var broken = new Dictionary<string, float[]>(state) { ["layers.2.weight"] = (float[])state["layers.2.weight"].Clone() };
        broken["layers.2.weight"][5] = float.NaN;
        Assert.Contains("layers.2.weight", Assert.Throws<ArgumentException>(() => WeightMatching.Match(permutationSpec, state, broken, seed: 0)).Message);
        broken.Remove("layers.2.weight");
        Assert.Contains("no 'layers.2.weight'", Assert.Throws<ArgumentException>(() => WeightMatching.Match(permutationSpec, broken, state, seed: 0)).Message);
    }

    private static PermutationSpec Spec(string architecture)
    {
        var spec = SmallSpec(architecture);
        return PermutationSpec.For(spec, ParameterLayout.Of(Runtime, spec));
    }

    /// <summary>Small inputs keep the deep nets to milliseconds; Vgg9 on 16×16 ends in 2×2 maps, so its fc reads blocks of 4.</summary>
    private static ModelSpec SmallSpec(string architecture) => architecture switch
    {
        "Mlp" => ModelZoo.DefaultSpec(architecture) with { HiddenWidths = [12, 7, 5] },
        "DigitsCnn" => ModelZoo.DefaultSpec(architecture),
        "Vgg9" => ModelZoo.DefaultSpec(architecture) with { InputHeight = 16, InputWidth = 16 },
        _ => ModelZoo.DefaultSpec(architecture) with { InputHeight = 8, InputWidth = 8 },
    };

    /// <summary>
    /// Fresh BatchNorm layers hold γ = 1, β = 0, mean 0, variance 1 and zero biases in places: permuting them
    /// would change nothing, so a forgotten vector would go unseen. Every vector gets its own random values.
    /// </summary>
    private static Dictionary<string, float[]> RandomizeVectors(nn.Module model, long seed)
    {
        var state = CheckpointAlignment.ReadState(model);
        var layout = ParameterLayout.Of(model);
        var stream = 0L;
        foreach (var name in state.Keys.ToArray())
        {
            if (layout.StateEntries.Single(e => e.Name == name).Shape.Count != 1) continue;
            var state64 = (ulong)DeterministicShuffle.DeriveSeed(seed, stream++);
            // Variances must be positive; γ near 1 keeps the deep nets' signals from dying out.
            var positive = name.EndsWith(".running_var", StringComparison.Ordinal) || name.EndsWith(".weight", StringComparison.Ordinal);
            state[name] = state[name].Select(_ =>
            {
                state64 = (ulong)DeterministicShuffle.DeriveSeed((long)state64, 1);
                var uniform = (float)((state64 >> 40) / (double)(1UL << 24));
                return positive ? 0.5f + uniform : uniform - 0.5f;
            }).ToArray();
        }
        CheckpointAlignment.WriteState(model, state);
        return CheckpointAlignment.ReadState(model);
    }
}
