namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>Element sizes and the names each file format uses for a <see cref="TensorDType"/>.</summary>
public static class TensorDTypes
{
    private static readonly (TensorDType DType, int Size, string Safetensors, string TorchStorage)[] Table =
    [
        (TensorDType.Float16, 2, "F16", "HalfStorage"),
        (TensorDType.BFloat16, 2, "BF16", "BFloat16Storage"),
        (TensorDType.Float32, 4, "F32", "FloatStorage"),
        (TensorDType.Float64, 8, "F64", "DoubleStorage"),
        (TensorDType.Int64, 8, "I64", "LongStorage"),
        (TensorDType.Int32, 4, "I32", "IntStorage"),
        (TensorDType.Int16, 2, "I16", "ShortStorage"),
        (TensorDType.Int8, 1, "I8", "CharStorage"),
        (TensorDType.UInt8, 1, "U8", "ByteStorage"),
        (TensorDType.Bool, 1, "BOOL", "BoolStorage"),
    ];

    public static int ElementSize(this TensorDType dtype) => Entry(dtype).Size;

    public static bool IsFloatingPoint(this TensorDType dtype) =>
        dtype is TensorDType.Float16 or TensorDType.BFloat16 or TensorDType.Float32 or TensorDType.Float64;

    public static string SafetensorsName(this TensorDType dtype) => Entry(dtype).Safetensors;

    /// <summary>The storage class <c>torch.save</c> names for this element type, e.g. <c>FloatStorage</c>.</summary>
    public static string TorchStorageName(this TensorDType dtype) => Entry(dtype).TorchStorage;

    public static bool TryParseSafetensorsName(string name, out TensorDType dtype) =>
        TryFind(entry => entry.Safetensors == name, out dtype);

    public static bool TryParseTorchStorageName(string name, out TensorDType dtype) =>
        TryFind(entry => entry.TorchStorage == name, out dtype);

    // The table lists the enum's members in declaration order.
    private static (TensorDType DType, int Size, string Safetensors, string TorchStorage) Entry(TensorDType dtype) =>
        (uint)dtype < (uint)Table.Length
            ? Table[(int)dtype]
            : throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown tensor element type.");

    private static bool TryFind(Func<(TensorDType DType, int Size, string Safetensors, string TorchStorage), bool> match, out TensorDType dtype)
    {
        var index = Array.FindIndex(Table, entry => match(entry));
        dtype = index >= 0 ? Table[index].DType : default;
        return index >= 0;
    }
}
