using LossLandscape.Core.Checkpoints.Formats;
using LossLandscape.Core.Common;

namespace LossLandscape.Core.Data;

/// <summary>
/// Any data set, as tensors: <c>train.safetensors</c> / <c>test.safetensors</c> (or <c>train.pt</c> /
/// <c>test.pt</c> from torch.save of a dict) with <c>inputs</c> (N×C×H×W, or N×H×W for one channel;
/// any float type, used as they are: normalise before saving) and <c>labels</c> (N integers 0..K−1;
/// K is the largest label + 1).
/// </summary>
public static class TensorFolder
{
    public const string InputsName = "inputs";
    public const string LabelsName = "labels";

    public static DatasetArrays Load(DatasetCache cache, string folder, DatasetSplit split)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"The tensor folder '{folder}' does not exist. It should hold train.safetensors and test.safetensors (or train.pt and test.pt) with '{InputsName}' and '{LabelsName}' tensors.");
        var stem = split == DatasetSplit.Test ? "test" : "train";
        var path = new[] { ".safetensors", ".pt", ".pth" }.Select(ext => Path.Combine(folder, stem + ext)).FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"The {split} split of '{folder}' needs {stem}.safetensors or {stem}.pt.", Path.Combine(folder, stem + ".safetensors"));
        return cache.GetOrRead([path], () => Read(path));
    }

    private static DatasetArrays Read(string path)
    {
        RegularFile.Require(path, "tensor file");
        StateDictionary state;
        try
        {
            state = path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) ? SafetensorsReader.Read(path).State : PyTorchCheckpointReader.Read(path).State;
        }
        catch (UnsafePickleException e)
        {
            throw new InvalidDataException($"'{path}' was refused: {e.Message}", e);
        }
        if (!state.TryGet(InputsName, out var inputs) || !state.TryGet(LabelsName, out var labels))
            throw new InvalidDataException($"'{path}' needs tensors '{InputsName}' and '{LabelsName}'; it has {string.Join(", ", state.Names)}.");
        if (!inputs.DType.IsFloatingPoint())
            throw new InvalidDataException($"'{path}': '{InputsName}' is {inputs.DType}; convert it to floating point (and normalise it) before saving.");
        var shape = inputs.Shape.Length switch
        {
            4 => inputs.Shape,
            3 => [inputs.Shape[0], 1, inputs.Shape[1], inputs.Shape[2]],
            _ => throw new InvalidDataException($"'{path}': '{InputsName}' is [{inputs.ShapeText}]; expected N×C×H×W or N×H×W."),
        };
        DatasetLimits.RequireInputValues(path, shape.Aggregate(1L, (product, size) => size != 0 && product > long.MaxValue / size ? long.MaxValue : product * size), $"'{InputsName}' of [{inputs.ShapeText}]");
        if (labels.Shape.Length != 1 || labels.Shape[0] != shape[0])
            throw new InvalidDataException($"'{path}': '{LabelsName}' is [{labels.ShapeText}]; expected {shape[0]} labels for {shape[0]} inputs.");
        if (labels.DType.IsFloatingPoint())
            throw new InvalidDataException($"'{path}': '{LabelsName}' is {labels.DType}; labels must be integers.");
        var values = labels.ToInt64();
        if (values.Length == 0 || values.Min() < 0)
            throw new InvalidDataException($"'{path}': labels must be integers ≥ 0 and there must be at least one sample.");
        return new DatasetArrays(inputs.ToFloat32(), values, (int)shape[1], (int)shape[2], (int)shape[3], (int)values.Max() + 1);
    }
}
