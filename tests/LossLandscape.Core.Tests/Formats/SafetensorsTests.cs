using System.Buffers.Binary;
using System.Text;
using LossLandscape.Core.Checkpoints.Formats;

namespace LossLandscape.Core.Tests.Formats;

public sealed class SafetensorsTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("losslandscape-safetensors-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void DecodesExactlyWhatWasWritten()
    {
        var content = SafetensorsReader.Read(FormatFixtures.PathOf("digits.safetensors"));

        FormatFixtures.AssertMatchesReference(content.State, "digits.safetensors");
        Assert.Equal(new Dictionary<string, string> { ["format"] = "pt", ["source"] = "make_fixtures.py" }, content.Metadata);
    }

    [Theory]
    [InlineData("hostile_offsets_past_end.safetensors", "data offsets [0, 4096) outside the 16-byte data section")]
    [InlineData("hostile_overlap.safetensors", "tensor 'b' [8, 16) overlaps 'a' [0, 12)")]
    [InlineData("hostile_shape_mismatch.safetensors", "has shape [2, 3] F32 (24 bytes) but data offsets [0, 16) span 16 bytes")]
    [InlineData("hostile_header_length.safetensors", "the header length 1099511627776 exceeds")]
    [InlineData("hostile_shape_overflow.safetensors", "whose size overflows")]
    [InlineData("hostile_negative_offset.safetensors", "invalid (negative or non-integer) data offset -16")]
    public void HostileHeadersAreInvalidData(string fixture, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => SafetensorsReader.Read(FormatFixtures.PathOf(fixture)));

        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1, 2]", "not a JSON object")]
    [InlineData("{\"w\":{\"dtype\":\"F128\",\"shape\":[],\"data_offsets\":[0,0]}}", "unsupported dtype 'F128'")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}}", "invalid size -1")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", "outside the")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", "needs dtype, shape and data_offsets")]
    [InlineData("{\"__metadata__\":{\"a\":1}}", "is not a string")]
    public void MalformedHeadersAreInvalidData(string header, string message)
    {
        var path = Path.Combine(directory, "bad.safetensors");
        var json = Encoding.UTF8.GetBytes(header);
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        File.WriteAllBytes(path, [.. length, .. json, .. new byte[8]]);

        var error = Assert.Throws<InvalidDataException>(() => SafetensorsReader.Read(path));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void RoundTripsEveryDTypeAndIsDeterministic()
    {
        var state = new StateDictionary(Enum.GetValues<TensorDType>()
            .Select((dtype, i) => new NamedTensor($"t{i}.{dtype}", dtype, [2, 3], Enumerable.Range(0, 6 * dtype.ElementSize()).Select(b => (byte)(b * 7 + i)).ToArray()))
            .Append(new NamedTensor("empty", TensorDType.Float32, [0, 4], []))
            .Append(new NamedTensor("scalar", TensorDType.Float64, [], new byte[8]))
            .ToList());
        var metadata = new Dictionary<string, string> { ["z"] = "last", ["a"] = "first" };
        var first = Path.Combine(directory, "first.safetensors");
        var second = Path.Combine(directory, "second.safetensors");

        SafetensorsWriter.Write(first, state, metadata);
        SafetensorsWriter.Write(second, state, metadata);
        var read = SafetensorsReader.Read(first);

        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
        Assert.Equal(0, (BinaryPrimitives.ReadInt64LittleEndian(File.ReadAllBytes(first)) + 8) % 8);
        Assert.Equal(metadata, read.Metadata);
        Assert.Equal(state.Names, read.State.Names);
        foreach (var (expected, actual) in state.Tensors.Zip(read.State.Tensors))
        {
            Assert.Equal(expected.DType, actual.DType);
            Assert.Equal(expected.Shape, actual.Shape);
            Assert.Equal(expected.Data, actual.Data);
        }
        Assert.Empty(Directory.GetFiles(directory, "*.partial"));
    }

    [Fact]
    public void ExportsDigitsForPyTorch()
    {
        var state = SafetensorsReader.Read(FormatFixtures.PathOf("digits.safetensors")).State;
        var path = Path.Combine(FormatFixtures.ExportDirectory() ?? directory, "digits.safetensors.export.safetensors");

        SafetensorsWriter.Write(path, state, new Dictionary<string, string> { ["format"] = "pt" });

        FormatFixtures.AssertMatchesReference(SafetensorsReader.Read(path).State, "digits.safetensors");
    }
}
