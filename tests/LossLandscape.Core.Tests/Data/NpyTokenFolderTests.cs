using System.Text;
using LossLandscape.Core.Data;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Tests.Data;

public sealed class NpyTokenFolderTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("ll-npy-");

    public void Dispose() => folder.Delete(recursive: true);

    /// <summary>A .npy file as numpy.save writes it (version 1.0, header padded with spaces to 64 bytes, ending in a newline).</summary>
    private void WriteNpy(string name, string descr, long[] shape, long[] values, bool fortranOrder = false)
    {
        var shapeText = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        var dict = $"{{'descr': '{descr}', 'fortran_order': {(fortranOrder ? "True" : "False")}, 'shape': {shapeText}, }}";
        var padded = dict.PadRight(((10 + dict.Length + 1 + 63) / 64 * 64) - 10 - 1) + "\n";
        using var stream = new MemoryStream();
        stream.Write([0x93, .. "NUMPY"u8, 1, 0, (byte)(padded.Length & 0xFF), (byte)(padded.Length >> 8)]);
        stream.Write(Encoding.ASCII.GetBytes(padded));
        foreach (var value in values)
        {
            var bytes = descr switch
            {
                "<i4" => BitConverter.GetBytes((int)value),
                "<u2" => BitConverter.GetBytes((ushort)value),
                _ => BitConverter.GetBytes(value),
            };
            stream.Write(bytes);
        }
        File.WriteAllBytes(Path.Combine(folder.FullName, name), stream.ToArray());
    }

    private DatasetArrays Load(DatasetSplit split, int vocabularySize = 0) =>
        DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, DatasetCatalog.FromFolder(folder.FullName, DatasetFormat.Npy, split) with
        {
            Tokens = vocabularySize == 0 ? null : new TokenOptions { VocabularySize = vocabularySize },
        });

    [Theory]
    [InlineData("<i4")]
    [InlineData("<i8")]
    [InlineData("<u2")]
    public void RowsAreSequencesWithTheNextTokenAsTargetAndTheLastPositionOutsideTheMask(string descr)
    {
        WriteNpy("train.npy", descr, [2, 3], [4, 5, 6, 7, 8, 9]);
        WriteNpy("test.npy", descr, [1, 3], [1, 20, 3]);
        var train = Load(DatasetSplit.Train);
        Assert.Equal((2, 3, 21), (train.Count, train.SequenceLength, train.ClassCount));
        Assert.Equal([4L, 5, 6, 7, 8, 9], train.Tokens!);
        Assert.Equal([5L, 6, -100, 8, 9, -100], train.Labels);
        Assert.Equal(4, train.MaskedTargetCount);
        var test = Load(DatasetSplit.Test);
        Assert.Equal([20L, 3, -100], test.Labels);
        Assert.Equal(21, test.ClassCount);
    }

    [Fact]
    public void ATargetsArrayReplacesTheShiftedRow()
    {
        WriteNpy("train.npy", "<i8", [1, 4], [1, 2, 3, 4]);
        WriteNpy("train_targets.npy", "<i8", [1, 4], [-100, -100, 9, -100]);
        var train = Load(DatasetSplit.Train);
        Assert.Equal([-100L, -100, 9, -100], train.Labels);
        Assert.Equal((1, 10), (train.MaskedTargetCount, train.ClassCount));
    }

    [Fact]
    public void HostileArraysAreRefusedWithClearMessages()
    {
        WriteNpy("train.npy", "<i8", [2, 2], [1, 2, 3, 40]);
        Assert.Contains("token 40", Assert.Throws<InvalidDataException>(() => Load(DatasetSplit.Train, vocabularySize: 40)).Message);

        WriteNpy("train.npy", "<f4", [2, 2], [0, 0, 0, 0]);
        Assert.Contains("<f4", Assert.Throws<InvalidDataException>(() => Load(DatasetSplit.Train)).Message);

        WriteNpy("train.npy", "<i8", [2, 2], [1, 2, 3, 4], fortranOrder: true);
        Assert.Contains("Fortran", Assert.Throws<InvalidDataException>(() => Load(DatasetSplit.Train)).Message);

        WriteNpy("train.npy", "<i8", [3, 2], [1, 2, 3, 4]);
        Assert.Contains("holds 32 bytes", Assert.Throws<InvalidDataException>(() => Load(DatasetSplit.Train)).Message);

        WriteNpy("train.npy", "<i8", [4], [1, 2, 3, 4]);
        Assert.Contains("N×T", Assert.Throws<InvalidDataException>(() => Load(DatasetSplit.Train)).Message);

        WriteNpy("train.npy", "<i8", [2, 2], [1, -2, 3, 4]);
        Assert.Contains("token -2", Assert.Throws<InvalidDataException>(() => Load(DatasetSplit.Train)).Message);

        WriteNpy("train.npy", "<i8", [4, 1], [1, 2, 3, 4]);
        Assert.Contains("one token", Assert.Throws<InvalidDataException>(() => Load(DatasetSplit.Train)).Message);

        // A declared shape of 2^62 elements is refused from the header alone.
        WriteNpy("train.npy", "<i8", [1L << 31, 1L << 31], []);
        Assert.Contains("token positions", Assert.Throws<InvalidDataException>(() => Load(DatasetSplit.Train)).Message);

        File.WriteAllBytes(Path.Combine(folder.FullName, "train.npy"), "PK\u0003\u0004 not numpy"u8.ToArray());
        Assert.Contains("not a .npy file", Assert.Throws<InvalidDataException>(() => Load(DatasetSplit.Train)).Message);
    }

    [Fact]
    public void WindowOptionsAreRefusedForRows() =>
        Assert.Contains("ContextLength", Assert.Throws<ArgumentException>(() => DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache,
            DatasetCatalog.FromFolder(folder.FullName, DatasetFormat.Npy) with { Tokens = new TokenOptions { ContextLength = 4 } })).Message);
}
