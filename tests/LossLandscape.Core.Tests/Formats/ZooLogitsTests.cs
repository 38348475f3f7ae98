using LossLandscape.Core.Checkpoints.Formats;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Formats;

/// <summary>
/// End to end: a state dict PyTorch saved, read by our reader and copied into the zoo model by
/// name, gives the eval-mode logits PyTorch recorded.
/// </summary>
public sealed class ZooLogitsTests
{
    public ZooLogitsTests() => TorchRuntime.EnsureLoaded();

    [Theory]
    [InlineData("digits_plain.pt", "DigitsCnn", "DigitsCnn")]
    [InlineData("digits_dataparallel.pth", "DigitsCnn", "DigitsCnn")]
    [InlineData("digits_legacy.t7", "DigitsCnn", "DigitsCnn")]
    [InlineData("resnet20.pt", "ResNet20", "CifarResNet20")]
    public void LoadedWeightsReproducePyTorchLogits(string fixture, string architecture, string referenceModel)
    {
        var state = PyTorchCheckpointReader.Read(FormatFixtures.PathOf(fixture)).State;
        var reference = FormatFixtures.References.GetProperty("models").GetProperty(referenceModel);
        var inputValues = reference.GetProperty("input").EnumerateArray().Select(value => value.GetSingle()).ToArray();
        var inputShape = reference.GetProperty("input_shape").EnumerateArray().Select(size => size.GetInt64()).ToArray();
        var expected = reference.GetProperty("logits").EnumerateArray().Select(value => value.GetDouble()).ToArray();

        using var model = ModelZoo.Create(ModelZoo.DefaultSpec(architecture));
        using (no_grad())
        {
            var parameters = model.state_dict();
            Assert.Equal(parameters.Keys, state.Names);
            foreach (var (name, target) in parameters)
            {
                var source = state[name];
                using var values = source.DType == TensorDType.Int64
                    ? tensor(Enumerable.Range(0, (int)source.ElementCount).Select(i => BitConverter.ToInt64(source.Data, i * 8)).ToArray(), source.Shape)
                    : tensor(source.ToFloat32(), source.Shape);
                target.copy_(values);
            }
        }
        model.eval();
        using var input = tensor(inputValues, inputShape);
        using var noGrad = no_grad();
        using var logits = model.call(input);
        var actual = logits.data<float>().ToArray();

        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5, $"{fixture} logit {i}: ours {actual[i]}, PyTorch {expected[i]}");
    }
}
