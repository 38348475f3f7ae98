using System.Text;

namespace LossLandscape.Core.Checkpoints;

/// <summary>
/// Reads the table of contents of TorchSharp's own state-dictionary format (what
/// <c>Module.save</c> writes): a LEB128 entry count, then per entry a LEB128-length UTF-8 name, a
/// LEB128 element type, a LEB128 rank, LEB128 sizes and the raw little-endian data. Reading it
/// ourselves lets a corrupt or mismatched file be refused before TorchSharp touches it (a native
/// error there can abort the process).
/// </summary>
public static class TorchSharpStateFile
{
    private static readonly Dictionary<long, (string Name, int Size)> ElementTypes = new()
    {
        [0] = ("uint8", 1), [1] = ("int8", 1), [2] = ("int16", 2), [3] = ("int32", 4), [4] = ("int64", 8),
        [5] = ("float16", 2), [6] = ("float32", 4), [7] = ("float64", 8), [11] = ("bool", 1), [15] = ("bfloat16", 2),
    };

    /// <exception cref="InvalidDataException">The file is truncated, malformed, or has trailing bytes.</exception>
    public static IReadOnlyList<StateTensorInfo> ReadContents(string path)
    {
        using var stream = File.OpenRead(path);
        return ReadContents(stream);
    }

    public static IReadOnlyList<StateTensorInfo> ReadContents(Stream stream)
    {
        var length = stream.Length;
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        var count = ReadLeb128(reader, "entry count");
        if (count > 1_000_000) throw new InvalidDataException($"Implausible entry count {count}: not a TorchSharp state file.");

        var entries = new List<StateTensorInfo>((int)count);
        for (var i = 0; i < count; i++)
        {
            var nameLength = ReadLeb128(reader, "name length");
            if (nameLength is 0 or > 4096 || stream.Position + nameLength > length)
                throw new InvalidDataException($"Entry {i}: invalid name length {nameLength}.");
            var name = Encoding.UTF8.GetString(reader.ReadBytes((int)nameLength));

            var typeCode = ReadLeb128(reader, "element type");
            if (!ElementTypes.TryGetValue(typeCode, out var type))
                throw new InvalidDataException($"Entry '{name}': unknown element type code {typeCode}.");
            var rank = ReadLeb128(reader, "rank");
            if (rank > 16) throw new InvalidDataException($"Entry '{name}': implausible rank {rank}.");
            var shape = new long[rank];
            for (var d = 0; d < rank; d++) shape[d] = ReadLeb128(reader, "dimension");
            var elements = Formats.NamedTensor.ElementCountOf(shape);
            if (elements is null || elements > (length - stream.Position) / type.Size)
                throw new InvalidDataException($"Entry '{name}' ({string.Join("×", shape)} {type.Name}) runs past the end of the file: it is truncated.");
            var bytes = elements.Value * type.Size;
            entries.Add(new StateTensorInfo(name, type.Name, shape) { NonFiniteCount = CountNonFinite(reader, type.Name, bytes) });
        }
        if (stream.Position != length)
            throw new InvalidDataException($"{length - stream.Position} unexpected bytes after the last entry.");
        return entries;
    }

    /// <summary>Reads past the data, counting NaN and ±∞ in float32/float64 tensors (a diverged run's checkpoint).</summary>
    private static long CountNonFinite(BinaryReader reader, string type, long bytes)
    {
        if (type is not ("float32" or "float64"))
        {
            reader.BaseStream.Seek(bytes, SeekOrigin.Current);
            return 0;
        }
        long count = 0;
        var buffer = new byte[Math.Min(bytes, 1 << 20)];
        for (var left = bytes; left > 0;)
        {
            var chunk = (int)Math.Min(left, buffer.Length);
            reader.BaseStream.ReadExactly(buffer, 0, chunk);
            if (type == "float32")
            {
                foreach (var value in System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(buffer.AsSpan(0, chunk))) if (!float.IsFinite(value)) count++;
            }
            else
            {
                foreach (var value in System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(buffer.AsSpan(0, chunk))) if (!double.IsFinite(value)) count++;
            }
            left -= chunk;
        }
        return count;
    }

    private static long ReadLeb128(BinaryReader reader, string what)
    {
        long result = 0;
        for (var shift = 0; shift < 63; shift += 7)
        {
            int next;
            try
            {
                next = reader.ReadByte();
            }
            catch (EndOfStreamException)
            {
                throw new InvalidDataException($"The file ends inside a {what}: it is truncated.");
            }
            result |= (long)(next & 0x7f) << shift;
            if ((next & 0x80) == 0) return result;
        }
        throw new InvalidDataException($"Malformed {what}.");
    }
}
