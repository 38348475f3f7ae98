using System.Buffers.Binary;
using System.Text;

namespace LossLandscape.Core.Surfaces;

/// <summary>
/// Append-only record of finished grid points beside a surface file, so a killed run loses at most
/// the point in flight. Layout: "LLSJ", format 1, the metadata JSON (length-prefixed), then records
/// of (int32 index, int32 value count, float64 values…, int32 index ^ marker). A torn last record
/// (the process died mid-write) is ignored and overwritten.
/// </summary>
public sealed class SurfaceJournal : IDisposable
{
    private const uint Magic = 0x4A534C4C; // "LLSJ"
    private const int Version = 1;
    private const int Marker = 0x5A5A5A5A;

    private readonly FileStream stream;
    private readonly int valueCount;

    private SurfaceJournal(FileStream stream, int valueCount)
    {
        this.stream = stream;
        this.valueCount = valueCount;
    }

    public static string PathFor(string surfacePath) => surfacePath + ".journal";

    /// <summary>
    /// Opens the journal for <paramref name="metadata"/>: creates it, or reads the points an earlier
    /// run finished. A journal of different settings is refused.
    /// </summary>
    /// <exception cref="SurfaceSettingsMismatchException">The journal was written for other settings.</exception>
    public static SurfaceJournal Open(string path, SurfaceMetadata metadata, int valueCount, out Dictionary<int, double[]> finished)
    {
        finished = [];
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var created = stream.Length == 0;
        try
        {
            if (stream.Length == 0)
            {
                WriteHeader(stream, metadata);
            }
            else
            {
                var existing = ReadHeader(stream, path);
                var differences = metadata.Differences(existing);
                if (differences.Count > 0) throw new SurfaceSettingsMismatchException(path, differences);
                var validLength = ReadRecords(stream, valueCount, finished);
                stream.SetLength(validLength);
                stream.Seek(validLength, SeekOrigin.Begin);
            }
            return new SurfaceJournal(stream, valueCount);
        }
        catch
        {
            // A journal this call created but could not write (a full disk) would be an empty file left behind.
            try
            {
                stream.Dispose();
            }
            finally
            {
                if (created) File.Delete(path);
            }
            throw;
        }
    }

    /// <summary>
    /// The points a journal holds (slots k·cells + i for direction draw k), read without taking it over: for progress reports while another
    /// process (a running shard) is still appending to it.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a journal.</exception>
    public static IReadOnlyCollection<int> FinishedPoints(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var metadata = ReadHeader(stream, path);
        if (stream.Length - stream.Position < 8) return [];
        Span<byte> counts = stackalloc byte[8];
        var start = stream.Position;
        stream.ReadExactly(counts);
        stream.Position = start;
        var valueCount = BinaryPrimitives.ReadInt32LittleEndian(counts[4..]);
        if (valueCount is <= 0 or > 64) return [];
        var finished = new Dictionary<int, double[]>();
        ReadRecords(stream, valueCount, finished);
        var total = metadata.X.Length * (metadata.Y?.Length ?? 1) * (metadata.DirectionCount ?? 1);
        return finished.Keys.Where(i => i >= 0 && i < total).ToArray();
    }

    /// <summary>The settings a journal was written for.</summary>
    /// <exception cref="InvalidDataException">Not a journal.</exception>
    public static SurfaceMetadata ReadMetadata(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return ReadHeader(stream, path);
    }

    public void Append(int index, double[] values)
    {
        if (values.Length != valueCount) throw new ArgumentException($"Expected {valueCount} values, got {values.Length}.", nameof(values));
        var record = new byte[12 + 8 * values.Length];
        BinaryPrimitives.WriteInt32LittleEndian(record, index);
        BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(4), values.Length);
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(record.AsSpan(8 + 8 * i), values[i]);
        BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(8 + 8 * values.Length), index ^ Marker);
        stream.Write(record);
        stream.Flush(flushToDisk: true);
    }

    public void Dispose() => stream.Dispose();

    private static void WriteHeader(Stream stream, SurfaceMetadata metadata)
    {
        var json = Encoding.UTF8.GetBytes(metadata.ToJson());
        var header = new byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), Version);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), json.Length);
        stream.Write(header);
        stream.Write(json);
        stream.Flush();
    }

    private static SurfaceMetadata ReadHeader(Stream stream, string path)
    {
        Span<byte> header = stackalloc byte[12];
        if (stream.Read(header) != 12 || BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic)
            throw new InvalidDataException($"'{path}' is not a LossLandscape surface journal.");
        if (BinaryPrimitives.ReadInt32LittleEndian(header[4..]) != Version)
            throw new InvalidDataException($"'{path}' is a journal of an unknown format version.");
        var length = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (length <= 0 || length > stream.Length - 12) throw new InvalidDataException($"'{path}' has a damaged header.");
        var json = new byte[length];
        stream.ReadExactly(json);
        return SurfaceMetadata.FromJson(Encoding.UTF8.GetString(json));
    }

    private static long ReadRecords(Stream stream, int valueCount, Dictionary<int, double[]> finished)
    {
        var recordLength = 12 + 8 * valueCount;
        var record = new byte[recordLength];
        var valid = stream.Position;
        while (stream.Length - stream.Position >= recordLength)
        {
            stream.ReadExactly(record);
            var index = BinaryPrimitives.ReadInt32LittleEndian(record);
            var count = BinaryPrimitives.ReadInt32LittleEndian(record.AsSpan(4));
            if (count != valueCount || BinaryPrimitives.ReadInt32LittleEndian(record.AsSpan(8 + 8 * valueCount)) != (index ^ Marker)) break;
            var values = new double[valueCount];
            for (var i = 0; i < valueCount; i++) values[i] = BinaryPrimitives.ReadDoubleLittleEndian(record.AsSpan(8 + 8 * i));
            finished[index] = values;
            valid = stream.Position;
        }
        return valid;
    }
}
