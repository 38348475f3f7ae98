using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using LossLandscape.Core.Common;

namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>
/// Writes a state dictionary as <c>torch.save(OrderedDict)</c> does in the zip format, so that
/// <c>torch.load</c> reads it: a protocol 2 pickle of <c>collections.OrderedDict</c> and
/// <c>torch._utils._rebuild_tensor_v2</c> calls whose storages are the records
/// <c>archive/data/&lt;n&gt;</c>. Same input, same bytes (fixed timestamps); written atomically.
/// </summary>
public static class PyTorchCheckpointWriter
{
    private const string ArchiveFolder = "archive";
    private static readonly DateTimeOffset FixedTimestamp = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static void Write(string path, StateDictionary state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var pickle = Pickle(state);
        AtomicFile.Write(path, stream =>
        {
            using var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            AddRecord(archive, "data.pkl", pickle);
            AddRecord(archive, "byteorder", "little"u8.ToArray());
            for (var i = 0; i < state.Tensors.Count; i++) AddRecord(archive, $"data/{i}", state.Tensors[i].Data);
            AddRecord(archive, "version", "3\n"u8.ToArray());
        });
    }

    private static void AddRecord(ZipArchive archive, string name, byte[] content)
    {
        // Stored, not deflated: PyTorch writes its records uncompressed.
        var entry = archive.CreateEntry($"{ArchiveFolder}/{name}", CompressionLevel.NoCompression);
        entry.LastWriteTime = FixedTimestamp;
        using var stream = entry.Open();
        stream.Write(content);
    }

    private static byte[] Pickle(StateDictionary state)
    {
        var pickle = new MemoryStream();
        pickle.Write([0x80, 2]); // PROTO 2
        WriteGlobal(pickle, "collections", "OrderedDict");
        pickle.WriteByte((byte)')'); // EMPTY_TUPLE
        pickle.WriteByte((byte)'R'); // REDUCE
        pickle.WriteByte((byte)'('); // MARK
        for (var i = 0; i < state.Tensors.Count; i++)
        {
            var tensor = state.Tensors[i];
            WriteString(pickle, tensor.Name);
            WriteGlobal(pickle, "torch._utils", "_rebuild_tensor_v2");
            pickle.WriteByte((byte)'('); // MARK: the arguments
            pickle.WriteByte((byte)'('); // MARK: the persistent id
            WriteString(pickle, "storage");
            WriteGlobal(pickle, "torch", tensor.DType.TorchStorageName());
            WriteString(pickle, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            WriteString(pickle, "cpu");
            WriteInteger(pickle, tensor.ElementCount);
            pickle.WriteByte((byte)'t'); // TUPLE
            pickle.WriteByte((byte)'Q'); // BINPERSID
            WriteInteger(pickle, 0); // storage offset
            WriteTuple(pickle, tensor.Shape);
            WriteTuple(pickle, StridedCopy.RowMajorStrides(tensor.Shape));
            pickle.WriteByte(0x89); // NEWFALSE: requires_grad
            WriteGlobal(pickle, "collections", "OrderedDict"); // backward hooks: empty
            pickle.WriteByte((byte)')');
            pickle.WriteByte((byte)'R');
            pickle.WriteByte((byte)'t'); // TUPLE
            pickle.WriteByte((byte)'R'); // REDUCE
        }
        pickle.WriteByte((byte)'u'); // SETITEMS
        pickle.WriteByte((byte)'.'); // STOP
        return pickle.ToArray();
    }

    private static void WriteGlobal(Stream pickle, string module, string name)
    {
        pickle.WriteByte((byte)'c');
        pickle.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
    }

    private static void WriteString(Stream pickle, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)bytes.Length);
        pickle.WriteByte((byte)'X'); // BINUNICODE
        pickle.Write(length);
        pickle.Write(bytes);
    }

    private static void WriteTuple(Stream pickle, long[] values)
    {
        if (values.Length == 0)
        {
            pickle.WriteByte((byte)')');
            return;
        }
        pickle.WriteByte((byte)'(');
        foreach (var value in values) WriteInteger(pickle, value);
        pickle.WriteByte((byte)'t');
    }

    private static void WriteInteger(Stream pickle, long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        switch (value)
        {
            case >= 0 and <= byte.MaxValue:
                pickle.WriteByte((byte)'K'); // BININT1
                pickle.WriteByte((byte)value);
                break;
            case >= 0 and <= ushort.MaxValue:
                pickle.WriteByte((byte)'M'); // BININT2
                BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)value);
                pickle.Write(bytes[..2]);
                break;
            case >= int.MinValue and <= int.MaxValue:
                pickle.WriteByte((byte)'J'); // BININT
                BinaryPrimitives.WriteInt32LittleEndian(bytes, (int)value);
                pickle.Write(bytes[..4]);
                break;
            default:
                pickle.Write([0x8a, 8]); // LONG1, 8 bytes two's complement
                BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
                pickle.Write(bytes);
                break;
        }
    }
}
