using LossLandscape.Core.Checkpoints.Formats;
using LossLandscape.Core.Native;
using static TorchSharp.torch;

namespace LossLandscape.Core.Checkpoints;

/// <summary>Any checkpoint's state dictionary in the file-format neutral form the writers take.</summary>
public static class CheckpointExporter
{
    public static StateDictionary StateOf(LandscapeRuntime runtime, CheckpointInfo checkpoint)
    {
        using var model = CheckpointStore.LoadModel(runtime, checkpoint);
        using var scope = NewDisposeScope();
        var tensors = new List<NamedTensor>();
        foreach (var (name, value) in model.state_dict())
        {
            var contiguous = value.detach().contiguous().cpu();
            var (dtype, bytes) = contiguous.dtype switch
            {
                ScalarType.Float32 => (TensorDType.Float32, contiguous.bytes.ToArray()),
                ScalarType.Float64 => (TensorDType.Float64, contiguous.bytes.ToArray()),
                ScalarType.Int64 => (TensorDType.Int64, contiguous.bytes.ToArray()),
                ScalarType.Float16 => (TensorDType.Float16, contiguous.bytes.ToArray()),
                ScalarType.BFloat16 => (TensorDType.BFloat16, contiguous.bytes.ToArray()),
                ScalarType.Int32 => (TensorDType.Int32, contiguous.bytes.ToArray()),
                _ => throw new CheckpointException(CheckpointErrorKind.Corrupt, checkpoint.StatePath, $"'{name}' has element type {contiguous.dtype}, which the exporters do not write."),
            };
            tensors.Add(new NamedTensor(name, dtype, value.shape, bytes));
        }
        return new StateDictionary(tensors);
    }
}
