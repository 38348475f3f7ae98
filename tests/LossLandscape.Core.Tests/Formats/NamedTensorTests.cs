using LossLandscape.Core.Checkpoints.Formats;

namespace LossLandscape.Core.Tests.Formats;

public sealed class NamedTensorTests
{
    [Fact]
    public void DataMustMatchTheShape()
    {
        var error = Assert.Throws<ArgumentException>(() => new NamedTensor("w", TensorDType.Float32, [2, 3], new byte[20]));

        Assert.Contains("needs 6 × 4 bytes but has 20", error.Message);
    }

    [Fact]
    public void ConvertsHalfAndBFloat16Exactly()
    {
        // 1.5 in float16 is 0x3E00; -2.25 in bfloat16 is 0xC010.
        Assert.Equal([1.5f], new NamedTensor("h", TensorDType.Float16, [1], [0x00, 0x3E]).ToFloat32());
        Assert.Equal([-2.25f], new NamedTensor("b", TensorDType.BFloat16, [1], [0x10, 0xC0]).ToFloat32());
    }

    [Fact]
    public void StateDictionaryNamesAreUnique()
    {
        var tensor = NamedTensor.FromFloat32("w", [1], [1f]);

        Assert.Throws<ArgumentException>(() => new StateDictionary([tensor, tensor]));
    }
}
