using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using LossLandscape.Core.Common;

namespace LossLandscape.Core.Data;

/// <summary>
/// Integer arrays in numpy's .npy format (numpy.save): the magic "\x93NUMPY", a version, a header
/// length, a Python dict literal with 'descr', 'fortran_order' and 'shape', then the raw elements.
/// Only C-order little-endian int32, int64 and uint16 are read, within <see cref="DatasetLimits.MaxTokenPositions"/> elements.
/// </summary>
public static partial class NpyFile
{
    private const int MaxHeaderBytes = 1 << 16;
    private const int ChunkBytes = 1 << 20;

    private static readonly Dictionary<string, int> ElementSizes = new(StringComparer.Ordinal) { ["<i4"] = 4, ["<i8"] = 8, ["<u2"] = 2 };

    /// <exception cref="IOException">The file is missing.</exception>
    /// <exception cref="InvalidDataException">It is not such an array, or it is larger than the budget.</exception>
    public static (long[] Shape, long[] Values) ReadIntegers(string path)
    {
        RegularFile.Require(path, ".npy file");
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var (descr, shape) = ReadHeader(file, path);
        var elementSize = ElementSizes[descr];
        var count = shape.Aggregate(1L, (product, size) => size != 0 && product > long.MaxValue / size ? long.MaxValue : product * size);
        DatasetLimits.RequireTokenPositions(path, count, $"an array of [{string.Join("×", shape)}]");
        if (file.Length - file.Position != count * elementSize)
            throw new InvalidDataException($"'{path}' declares [{string.Join("×", shape)}] {descr} ({count * elementSize} bytes of data) but holds {file.Length - file.Position} bytes after its header.");

        var values = new long[count];
        var buffer = new byte[ChunkBytes];
        long done = 0;
        while (done < count)
        {
            var elements = (int)Math.Min(count - done, ChunkBytes / elementSize);
            file.ReadExactly(buffer, 0, elements * elementSize);
            for (var i = 0; i < elements; i++)
            {
                var bytes = buffer.AsSpan(i * elementSize, elementSize);
                values[done + i] = elementSize switch
                {
                    2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
                    4 => BinaryPrimitives.ReadInt32LittleEndian(bytes),
                    _ => BinaryPrimitives.ReadInt64LittleEndian(bytes),
                };
            }
            done += elements;
        }
        return (shape, values);
    }

    private static (string Descr, long[] Shape) ReadHeader(FileStream file, string path)
    {
        Span<byte> preamble = stackalloc byte[8];
        if (file.Read(preamble) != 8 || preamble[0] != 0x93 || !preamble[1..6].SequenceEqual("NUMPY"u8))
            throw new InvalidDataException($"'{path}' is not a .npy file (it does not start with \\x93NUMPY).");
        var major = preamble[6];
        int headerLength;
        Span<byte> lengthBytes = stackalloc byte[4];
        if (major == 1)
        {
            file.ReadExactly(lengthBytes[..2]);
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(lengthBytes);
        }
        else if (major is 2 or 3)
        {
            file.ReadExactly(lengthBytes);
            var declared = BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
            if (declared > MaxHeaderBytes) throw new InvalidDataException($"'{path}' declares a .npy header of {declared} bytes; at most {MaxHeaderBytes} are read.");
            headerLength = (int)declared;
        }
        else
        {
            throw new InvalidDataException($"'{path}' is .npy version {major}.{preamble[7]}; versions 1 to 3 are read.");
        }
        if (file.Length - file.Position < headerLength)
            throw new InvalidDataException($"'{path}' declares a .npy header of {headerLength} bytes but ends before it.");
        var headerBytes = new byte[headerLength];
        file.ReadExactly(headerBytes);
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);

        var descr = DescrPattern().Match(header);
        var fortran = FortranPattern().Match(header);
        var shape = ShapePattern().Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success)
            throw new InvalidDataException($"'{path}' has a .npy header without 'descr', 'fortran_order' and 'shape': {header.Trim()}");
        var type = descr.Groups[1].Value;
        if (!ElementSizes.ContainsKey(type))
            throw new InvalidDataException($"'{path}' holds {type} elements; token arrays are read as little-endian int32 (<i4), int64 (<i8) or uint16 (<u2).");
        if (fortran.Groups[1].Value == "True")
            throw new InvalidDataException($"'{path}' is in Fortran order; save it in C order (numpy.ascontiguousarray).");
        var dimensions = shape.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var sizes = new long[dimensions.Length];
        for (var d = 0; d < dimensions.Length; d++)
        {
            if (!long.TryParse(dimensions[d].TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out sizes[d]))
                throw new InvalidDataException($"'{path}' has a .npy shape '({shape.Groups[1].Value})' that is not a tuple of sizes.");
        }
        return (type, sizes);
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
