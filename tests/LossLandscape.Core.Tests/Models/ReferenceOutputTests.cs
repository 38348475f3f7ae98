using LossLandscape.Core.Native;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Models;

/// <summary>
/// Proves the models compute what the PyTorch definitions compute: with the same weights, BatchNorm
/// statistics and input, eval() outputs equal those generate_model_names.py recorded.
/// </summary>
public sealed class ReferenceOutputTests
{
    public ReferenceOutputTests() => LandscapeRuntime.Load();

    public static TheoryData<string> ReferenceModels() => new(ReferenceOutputCase.Names);

    [Theory]
    [MemberData(nameof(ReferenceModels))]
    public void Eval_output_equals_pytorch(string referenceModel)
    {
        var reference = ReferenceOutputCase.Load(referenceModel);
        using var model = reference.FilledModel();
        using var input = reference.Input();
        using var noGrad = no_grad();
        using var output = model.call(input);
        reference.AssertOutputEquals(output, "TorchSharp");
    }
}
