namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>A safetensors file: its tensors in data order and its <c>__metadata__</c> strings.</summary>
public sealed record SafetensorsContent(StateDictionary State, IReadOnlyDictionary<string, string> Metadata);

/// <summary>One tensor of a safetensors header: where its bytes lie, [Begin, End) from the start of the data section.</summary>
public sealed record SafetensorsEntry(string Name, TensorDType DType, long[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;
}

/// <summary>A checked safetensors header: its entries in data order, its metadata, and where the data section starts in the file.</summary>
public sealed record SafetensorsHeader(IReadOnlyList<SafetensorsEntry> Entries, IReadOnlyDictionary<string, string> Metadata, long DataStart);
