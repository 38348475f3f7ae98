using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Models;

/// <summary>
/// One model of model_outputs.json: its spec, the deterministic fill and input of
/// generate_model_names.py, and the eval() output PyTorch computed from them.
/// </summary>
internal sealed class ReferenceOutputCase
{
    private ReferenceOutputCase(string name)
    {
        var reference = ReferenceFixtures.ModelOutputs.GetProperty(name);
        Name = name;
        Spec = ReferenceFixtures.Spec(reference.GetProperty("spec"));
        Seed = reference.GetProperty("seed").GetUInt32();
        Batch = reference.GetProperty("batch").GetInt64();
        Expected = reference.GetProperty("output").EnumerateArray().Select(v => v.GetSingle()).ToArray();
    }

    public static IEnumerable<string> Names => ReferenceFixtures.ModelOutputs.EnumerateObject().Select(model => model.Name);

    public string Name { get; }

    public ModelSpec Spec { get; }

    public uint Seed { get; }

    public long Batch { get; }

    public float[] Expected { get; }

    public static ReferenceOutputCase Load(string name) => new(name);

    /// <summary>The zoo model with every floating state entry filled as PyTorch's was, in eval mode.</summary>
    public nn.Module<Tensor, Tensor> FilledModel()
    {
        var model = ModelZoo.Create(LandscapeRuntime.Load(), Spec);
        ReferenceFill.FillState(model, Seed);
        model.eval();
        return model;
    }

    public Tensor Input() => ReferenceFill.Input(Seed, [Batch, Spec.InputChannels, Spec.InputHeight, Spec.InputWidth]);

    /// <summary>Each output within 1e-4 (relative above 1) of PyTorch's.</summary>
    public void AssertOutputEquals(Tensor output, string what)
    {
        var actual = output.data<float>().ToArray();
        Assert.Equal(Expected.Length, actual.Length);
        for (var i = 0; i < Expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - Expected[i]) <= 1e-4 * Math.Max(1.0, Math.Abs(Expected[i])),
                $"{Name} output {i}: {what} {actual[i]}, PyTorch {Expected[i]}");
    }
}
