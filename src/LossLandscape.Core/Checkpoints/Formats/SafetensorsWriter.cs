using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using LossLandscape.Core.Common;

namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>
/// Writes a state dictionary as safetensors: tensors in the dictionary's order, packed back to
/// back; the header padded with spaces to a multiple of 8 bytes so the data stays aligned, and
/// metadata sorted by key so the same input always gives the same bytes. Written atomically.
/// </summary>
public static class SafetensorsWriter
{
    public static void Write(string path, StateDictionary state, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var header = Header(state, metadata);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var tensor in state.Tensors) stream.Write(tensor.Data);
        });
    }

    private static byte[] Header(StateDictionary state, IReadOnlyDictionary<string, string>? metadata)
    {
        var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata.OrderBy(item => item.Key, StringComparer.Ordinal)) writer.WriteString(key, value);
                writer.WriteEndObject();
            }
            var offset = 0L;
            foreach (var tensor in state.Tensors)
            {
                if (tensor.Name == "__metadata__") throw new ArgumentException("A tensor cannot be named __metadata__ in safetensors.", nameof(state));
                writer.WriteStartObject(tensor.Name);
                writer.WriteString("dtype", tensor.DType.SafetensorsName());
                writer.WriteStartArray("shape");
                foreach (var size in tensor.Shape) writer.WriteNumberValue(size);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + tensor.Data.Length);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += tensor.Data.Length;
            }
            writer.WriteEndObject();
        }
        var padding = (int)(-json.Length & 7);
        json.Write(Encoding.ASCII.GetBytes(new string(' ', padding)));
        return json.ToArray();
    }
}
