using System.Buffers.Binary;
using System.Text.Json;

namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>
/// Reads a safetensors file: an 8-byte little-endian header length, a JSON header mapping names to
/// dtype, shape and [begin, end) offsets into the data section, then the data. The header comes
/// from the file and is trusted for nothing: every length, offset and shape is checked before a
/// byte is read. Tensors are returned in data order (the header's key order carries no meaning).
/// </summary>
public static class SafetensorsReader
{
    /// <summary>The largest header accepted (the reference implementation's limit).</summary>
    public const long MaxHeaderLength = 100_000_000;

    private const string MetadataKey = "__metadata__";

    /// <summary>Reads with no expected state: allocations bounded by <see cref="ReadBudget.FileSizeFactor"/> × the file's size.</summary>
    /// <exception cref="InvalidDataException">The file is truncated, or its header is malformed or inconsistent.</exception>
    public static SafetensorsContent Read(string path) => Read(path, ReadBudget.ForFile(new FileInfo(path).Length));

    /// <exception cref="InvalidDataException">The file is truncated, or its header is malformed or inconsistent.</exception>
    /// <exception cref="CheckpointTooLargeException">It declares more data than <paramref name="budget"/> allows.</exception>
    /// <exception cref="DeclaredStateMismatchException">It declares other tensors than <paramref name="budget"/> expects.</exception>
    public static SafetensorsContent Read(string path, ReadBudget budget)
    {
        using var stream = File.OpenRead(path);
        var header = ReadHeader(stream, path, budget);
        budget.CheckDeclared(header.Entries.Select(entry => new DeclaredTensor(entry.Name, entry.DType, entry.Shape)).ToList());
        var tensors = new List<NamedTensor>(header.Entries.Count);
        foreach (var entry in header.Entries)
        {
            budget.Spend(entry.ByteLength, $"'{path}': tensor '{entry.Name}'");
            var data = new byte[entry.ByteLength];
            stream.Position = header.DataStart + entry.Begin;
            stream.ReadExactly(data);
            tensors.Add(new NamedTensor(entry.Name, entry.DType, entry.Shape, data));
        }
        return new SafetensorsContent(new StateDictionary(tensors), header.Metadata);
    }

    /// <summary>
    /// Reads and checks the header only (its bytes charged to <paramref name="budget"/>): every entry
    /// lies inside the data section, matches its shape and dtype in size, and overlaps no other.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is truncated, or its header is malformed or inconsistent.</exception>
    /// <exception cref="CheckpointTooLargeException">The header is larger than <paramref name="budget"/> allows.</exception>
    public static SafetensorsHeader ReadHeader(Stream stream, string path, ReadBudget budget)
    {
        var fileLength = stream.Length;
        if (fileLength < 8) throw new InvalidDataException($"'{path}' is {fileLength} bytes: too short for a safetensors file.");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.Position = 0;
        stream.ReadExactly(lengthBytes);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(fileLength - 8) || headerLength > MaxHeaderLength)
            throw new InvalidDataException($"'{path}': the header length {headerLength} exceeds the {fileLength - 8} bytes after it (or the {MaxHeaderLength}-byte cap).");
        budget.Spend((long)headerLength, $"'{path}': the safetensors header");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        var dataStart = 8 + (long)headerLength;

        var (entries, metadata) = ParseHeader(header, fileLength - dataStart, path);
        var ordered = entries.OrderBy(entry => entry.Begin).ThenBy(entry => entry.End).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            if (ordered[i].Begin < ordered[i - 1].End)
                throw new InvalidDataException(
                    $"'{path}': tensor '{ordered[i].Name}' [{ordered[i].Begin}, {ordered[i].End}) overlaps '{ordered[i - 1].Name}' [{ordered[i - 1].Begin}, {ordered[i - 1].End}).");
        }
        return new SafetensorsHeader(ordered, metadata, dataStart);
    }

    private static (List<SafetensorsEntry> Entries, Dictionary<string, string> Metadata) ParseHeader(byte[] header, long dataLength, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"'{path}': the safetensors header is not valid JSON: {error.Message}", error);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"'{path}': the safetensors header is not a JSON object.");
            var entries = new List<SafetensorsEntry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name)) throw new InvalidDataException($"'{path}': the header names '{property.Name}' twice.");
                if (property.Name == MetadataKey)
                {
                    if (property.Value.ValueKind != JsonValueKind.Object)
                        throw new InvalidDataException($"'{path}': {MetadataKey} is not an object of strings.");
                    foreach (var item in property.Value.EnumerateObject())
                    {
                        metadata[item.Name] = item.Value.ValueKind == JsonValueKind.String
                            ? item.Value.GetString()!
                            : throw new InvalidDataException($"'{path}': {MetadataKey} entry '{item.Name}' is not a string.");
                    }
                    continue;
                }
                entries.Add(ParseEntry(property.Name, property.Value, dataLength, path));
            }
            return (entries, metadata);
        }
    }

    private static SafetensorsEntry ParseEntry(string name, JsonElement value, long dataLength, string path)
    {
        string Problem(string what) => $"'{path}': tensor '{name}' {what}.";
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException(Problem("needs dtype, shape and data_offsets"));
        if (!TensorDTypes.TryParseSafetensorsName(dtypeElement.GetString()!, out var dtype))
            throw new InvalidDataException(Problem($"has unsupported dtype '{dtypeElement.GetString()}'"));

        var shape = shapeElement.EnumerateArray().Select(size =>
            size.ValueKind == JsonValueKind.Number && size.TryGetInt64(out var n) && n >= 0
                ? n
                : throw new InvalidDataException(Problem($"has an invalid size {size.GetRawText()} in its shape"))).ToArray();
        var offsets = offsetsElement.EnumerateArray().Select(offset =>
            offset.ValueKind == JsonValueKind.Number && offset.TryGetInt64(out var n) && n >= 0
                ? n
                : throw new InvalidDataException(Problem($"has an invalid (negative or non-integer) data offset {offset.GetRawText()}"))).ToArray();
        if (offsets.Length != 2) throw new InvalidDataException(Problem("needs exactly two data_offsets"));
        var (begin, end) = (offsets[0], offsets[1]);
        if (begin > end || end > dataLength)
            throw new InvalidDataException(Problem($"has data offsets [{begin}, {end}) outside the {dataLength}-byte data section"));

        var count = NamedTensor.ElementCountOf(shape);
        if (count is null || count > long.MaxValue / dtype.ElementSize())
            throw new InvalidDataException(Problem($"has a shape [{string.Join(", ", shape)}] whose size overflows"));
        if (count * dtype.ElementSize() != end - begin)
            throw new InvalidDataException(Problem($"has shape [{string.Join(", ", shape)}] {dtypeElement.GetString()} ({count * dtype.ElementSize()} bytes) but data offsets [{begin}, {end}) span {end - begin} bytes"));
        return new SafetensorsEntry(name, dtype, shape, begin, end);
    }
}
