using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Models;

/// <summary>
/// Proves the models compute what the PyTorch definitions compute: with the same weights, BatchNorm
/// statistics and input, eval() outputs equal those generate_model_names.py recorded.
/// </summary>
public sealed class ReferenceOutputTests
{
    public ReferenceOutputTests() => TorchRuntime.EnsureLoaded();

    public static TheoryData<string> ReferenceModels() =>
        new(ReferenceFixtures.ModelOutputs.EnumerateObject().Select(model => model.Name));

    [Theory]
    [MemberData(nameof(ReferenceModels))]
    public void Eval_output_equals_pytorch(string referenceModel)
    {
        var reference = ReferenceFixtures.ModelOutputs.GetProperty(referenceModel);
        var spec = ReferenceFixtures.Spec(reference.GetProperty("spec"));
        var seed = reference.GetProperty("seed").GetUInt32();
        var expected = reference.GetProperty("output").EnumerateArray().Select(v => v.GetSingle()).ToArray();

        using var model = ModelZoo.Create(spec);
        ReferenceFill.FillState(model, seed);
        model.eval();
        using var input = ReferenceFill.Input(seed, [reference.GetProperty("batch").GetInt64(), spec.InputChannels, spec.InputHeight, spec.InputWidth]);
        using var noGrad = no_grad();
        using var output = model.call(input);
        var actual = output.data<float>().ToArray();

        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4 * Math.Max(1.0, Math.Abs(expected[i])),
                $"{referenceModel} output {i}: TorchSharp {actual[i]}, PyTorch {expected[i]}");
    }
}
