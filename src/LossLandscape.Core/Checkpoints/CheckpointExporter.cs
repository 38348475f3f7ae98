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
        return StateOf(model, checkpoint);
    }

    /// <summary>
    /// <paramref name="model"/>'s state, each float tensor in the element type <paramref name="checkpoint"/>'s
    /// file stores it in (a float16 or bfloat16 weight computed in float32 goes back as float16 or
    /// bfloat16): an unchanged import comes back bit for bit, changed weights round to the file's type.
    /// </summary>
    public static StateDictionary StateOf(nn.Module model, CheckpointInfo checkpoint)
    {
        var stored = checkpoint.Tensors.ToDictionary(t => t.Name, t => t.DType, StringComparer.Ordinal);
        using var scope = NewDisposeScope();
        var tensors = new List<NamedTensor>();
        foreach (var (name, value) in model.state_dict())
        {
            var contiguous = value.detach().contiguous().cpu();
            if (contiguous.dtype == ScalarType.Float32 && stored.GetValueOrDefault(name) is { } fileType && NarrowerFloat(fileType) is { } narrower)
                contiguous = contiguous.to(narrower);
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

    // The names are those StateTensorInfo.DType holds for a file's float16 and bfloat16 tensors.
    private static ScalarType? NarrowerFloat(string fileType) => fileType switch
    {
        "float16" => ScalarType.Float16,
        "bfloat16" => ScalarType.BFloat16,
        _ => null,
    };
}
