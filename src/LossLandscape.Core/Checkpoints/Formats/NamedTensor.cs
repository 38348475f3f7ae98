using System.Buffers.Binary;

namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>
/// One entry of a state dictionary: contiguous row-major little-endian bytes. The constructor
/// checks that <paramref name="Data"/> holds exactly numel × element size bytes.
/// </summary>
public sealed record NamedTensor(string Name, TensorDType DType, long[] Shape, byte[] Data)
{
    public long ElementCount { get; } = CheckedElementCount(Name, DType, Shape, Data);

    public string ShapeText => Shape.Length == 0 ? "scalar" : string.Join("×", Shape);

    /// <summary>Wraps float32 values (copied) as a tensor.</summary>
    public static NamedTensor FromFloat32(string name, long[] shape, ReadOnlySpan<float> values)
    {
        var data = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * sizeof(float)), values[i]);
        return new NamedTensor(name, TensorDType.Float32, shape, data);
    }

    /// <summary>The values as float32: exact for float16, bfloat16 and small integers, rounded otherwise.</summary>
    public float[] ToFloat32()
    {
        var values = new float[ElementCount];
        var bytes = Data.AsSpan();
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = DType switch
            {
                TensorDType.Float16 => (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(i * 2)..]),
                TensorDType.BFloat16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(i * 2)..]) << 16),
                TensorDType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]),
                TensorDType.Float64 => (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes[(i * 8)..]),
                TensorDType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(bytes[(i * 8)..]),
                TensorDType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(bytes[(i * 4)..]),
                TensorDType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(bytes[(i * 2)..]),
                TensorDType.Int8 => (sbyte)bytes[i],
                TensorDType.UInt8 => bytes[i],
                TensorDType.Bool => bytes[i] != 0 ? 1f : 0f,
                _ => throw new InvalidOperationException($"Unknown element type {DType}."),
            };
        }
        return values;
    }

    /// <summary>The values of an integer (or bool) tensor, exactly.</summary>
    /// <exception cref="InvalidDataException">The tensor holds floating-point values.</exception>
    public long[] ToInt64()
    {
        var values = new long[ElementCount];
        var bytes = Data.AsSpan();
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = DType switch
            {
                TensorDType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(bytes[(8 * i)..]),
                TensorDType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(bytes[(4 * i)..]),
                TensorDType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(bytes[(2 * i)..]),
                TensorDType.Int8 => (sbyte)bytes[i],
                TensorDType.UInt8 => bytes[i],
                TensorDType.Bool => bytes[i] != 0 ? 1 : 0,
                _ => throw new InvalidDataException($"Tensor '{Name}' holds {DType} values, not integers."),
            };
        }
        return values;
    }

    public override string ToString() => $"{Name} [{ShapeText}] {DType}";

    private static long CheckedElementCount(string name, TensorDType dtype, long[] shape, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        var count = ElementCountOf(shape) ?? throw new ArgumentException($"Tensor '{name}' has an invalid shape [{string.Join(", ", shape)}].", nameof(shape));
        if (count > Array.MaxLength / dtype.ElementSize() || data.Length != count * dtype.ElementSize())
            throw new ArgumentException($"Tensor '{name}' ({string.Join("×", shape)} {dtype}) needs {count} × {dtype.ElementSize()} bytes but has {data.Length}.", nameof(data));
        return count;
    }

    /// <summary>The product of the sizes, or null where one is negative or the product overflows.</summary>
    public static long? ElementCountOf(IReadOnlyList<long> shape)
    {
        var count = 1L;
        foreach (var size in shape)
        {
            if (size < 0) return null;
            try
            {
                count = checked(count * size);
            }
            catch (OverflowException)
            {
                return null;
            }
        }
        return count;
    }
}
