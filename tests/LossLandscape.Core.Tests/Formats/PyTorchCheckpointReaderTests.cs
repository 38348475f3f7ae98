using System.IO.Compression;
using LossLandscape.Core.Checkpoints.Formats;

namespace LossLandscape.Core.Tests.Formats;

public sealed class PyTorchCheckpointReaderTests
{
    [Theory]
    [InlineData("digits_plain.pt", PyTorchCheckpointFormat.Zip, "zip format; bare state dict")]
    [InlineData("digits_protocol4.pt", PyTorchCheckpointFormat.Zip, "zip format; bare state dict")]
    [InlineData("digits_paper.t7", PyTorchCheckpointFormat.Zip, "zip format; dict key 'state_dict'")]
    [InlineData("digits_dataparallel.pth", PyTorchCheckpointFormat.Zip, "zip format; dict key 'state_dict'; 'module.' prefix stripped")]
    [InlineData("digits_legacy.t7", PyTorchCheckpointFormat.Legacy, "legacy format; dict key 'state_dict'")]
    [InlineData("digits_half.pt", PyTorchCheckpointFormat.Zip, "zip format; bare state dict")]
    [InlineData("digits_double.pt", PyTorchCheckpointFormat.Zip, "zip format; bare state dict")]
    [InlineData("digits_bfloat16.pt", PyTorchCheckpointFormat.Zip, "zip format; bare state dict")]
    [InlineData("digits_views.pt", PyTorchCheckpointFormat.Zip, "zip format; bare state dict")]
    [InlineData("digits_views_legacy.t7", PyTorchCheckpointFormat.Legacy, "legacy format; bare state dict")]
    [InlineData("resnet20.pt", PyTorchCheckpointFormat.Zip, "zip format; bare state dict")]
    public void DecodesExactlyWhatPyTorchSaved(string fixture, PyTorchCheckpointFormat format, string description)
    {
        var checkpoint = PyTorchCheckpointReader.Read(FormatFixtures.PathOf(fixture));

        Assert.Equal(format, checkpoint.Format);
        Assert.Equal(description, checkpoint.Description);
        FormatFixtures.AssertMatchesReference(checkpoint.State, fixture);
    }

    [Theory]
    [InlineData("digits_paper.t7")]
    [InlineData("digits_legacy.t7")]
    public void KeepsThePaperCodesScalarEntries(string fixture)
    {
        var extras = PyTorchCheckpointReader.Read(FormatFixtures.PathOf(fixture)).Extras;

        Assert.Equal(2, extras.Count);
        Assert.Equal(93.1, extras["acc"]);
        Assert.Equal(7L, extras["epoch"]);
    }

    [Fact]
    public void ViewsAreMaterializedContiguously()
    {
        var state = PyTorchCheckpointReader.Read(FormatFixtures.PathOf("digits_views.pt")).State;
        var weight = state["weight"].ToFloat32();
        var transposed = state["transposed"].ToFloat32();

        Assert.Equal([128L, 10], state["transposed"].Shape);
        Assert.Equal(weight[3 * 128 + 7], transposed[7 * 10 + 3]);
        Assert.Equal(weight[3 * 128 + 7], Assert.Single(state["scalar_element"].ToFloat32()));
        Assert.Equal(weight[1], state["every_other_column"].ToFloat32()[0]);
        // arange(24).reshape(2, 3, 4).permute(2, 0, 1): element [k, i, j] = 12 i + 4 j + k.
        Assert.Equal([0f, 4, 8, 12, 16, 20, 1, 5], state["counts"].ToFloat32()[..8]);
        Assert.Equal([1f, 0, 1], state["mask"].ToFloat32());
        Assert.Equal([-3f, 0, 5], state["small_ints"].ToFloat32());
    }

    [Theory]
    [InlineData("hostile_os_system.pt", "posix", "system")]
    [InlineData("hostile_os_system_legacy.t7", "posix", "system")]
    [InlineData("hostile_unknown_class.pt", "mymodule", "MyNet")]
    public void RefusesGlobalsOffTheAllowlistByName(string fixture, string module, string name)
    {
        var error = Assert.Throws<UnsafePickleException>(() => PyTorchCheckpointReader.Read(FormatFixtures.PathOf(fixture)));

        Assert.Equal(module, error.Module);
        Assert.Equal(name, error.Name);
        Assert.Contains($"'{module}.{name}'", error.Message);
    }

    [Fact]
    public void ATruncatedZipIsInvalidData()
    {
        var error = Assert.Throws<InvalidDataException>(() => PyTorchCheckpointReader.Read(FormatFixtures.PathOf("truncated.pt")));

        Assert.Contains("damaged or truncated zip", error.Message);
    }

    [Fact]
    public void ATruncatedLegacyFileIsInvalidData()
    {
        var bytes = File.ReadAllBytes(FormatFixtures.PathOf("digits_legacy.t7"));
        using var file = new TemporaryFile(bytes[..^100]);

        var error = Assert.Throws<InvalidDataException>(() => PyTorchCheckpointReader.Read(file.Path));

        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void EveryPrefixOfALegacyFileIsRefusedCleanly()
    {
        var bytes = File.ReadAllBytes(FormatFixtures.PathOf("digits_views_legacy.t7"));
        using var file = new TemporaryFile([]);
        for (var length = 1; length < bytes.Length; length += 7)
        {
            File.WriteAllBytes(file.Path, bytes[..length]);
            Assert.Throws<InvalidDataException>(() => PyTorchCheckpointReader.Read(file.Path));
        }
    }

    [Fact]
    public void AMissingStorageRecordIsNamed()
    {
        using var file = new TemporaryFile(RewriteZip("digits_plain.pt", (name, content) => name.EndsWith("/data/3", StringComparison.Ordinal) ? null : content));

        var error = Assert.Throws<InvalidDataException>(() => PyTorchCheckpointReader.Read(file.Path));

        Assert.Contains("no record 'digits_plain/data/3'", error.Message);
    }

    [Fact]
    public void AStorageTooSmallForItsViewIsInvalidData()
    {
        using var file = new TemporaryFile(RewriteZip("digits_plain.pt", (name, content) => name.EndsWith("/data/0", StringComparison.Ordinal) ? content[..100] : content));

        var error = Assert.Throws<InvalidDataException>(() => PyTorchCheckpointReader.Read(file.Path));

        Assert.Contains("Tensor 'conv1.weight': storage '0' holds 100 bytes but is declared as 144 Float32 elements", error.Message);
    }

    [Fact]
    public void ADictWithoutAStateDictListsItsKeys()
    {
        var pickle = new PickleBuilder().Proto().EmptyDict().Mark().Unicode("epoch").Int(3).Unicode("optimizer").EmptyDict().SetItems().Stop();
        using var file = new TemporaryFile(ZipWith("archive", pickle));

        var error = Assert.Throws<InvalidDataException>(() => PyTorchCheckpointReader.Read(file.Path));

        Assert.Contains("keys 'epoch', 'optimizer'", error.Message);
    }

    [Fact]
    public void TheArchiveFolderNameMayBeAnything()
    {
        using var file = new TemporaryFile(RewriteZip("digits_plain.pt", (_, content) => content, "renamed_folder"));

        FormatFixtures.AssertMatchesReference(PyTorchCheckpointReader.Read(file.Path).State, "digits_plain.pt");
    }

    private static byte[] RewriteZip(string fixture, Func<string, byte[], byte[]?> rewrite, string? folder = null)
    {
        using var source = ZipFile.OpenRead(FormatFixtures.PathOf(fixture));
        var output = new MemoryStream();
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                using var input = entry.Open();
                var content = new MemoryStream();
                input.CopyTo(content);
                var replacement = rewrite(entry.FullName, content.ToArray());
                if (replacement is null) continue;
                var name = folder is null ? entry.FullName : folder + entry.FullName[entry.FullName.IndexOf('/')..];
                using var stream = target.CreateEntry(name, CompressionLevel.NoCompression).Open();
                stream.Write(replacement);
            }
        }
        return output.ToArray();
    }

    private static byte[] ZipWith(string folder, byte[] pickle)
    {
        var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var stream = archive.CreateEntry($"{folder}/data.pkl").Open()) stream.Write(pickle);
            using (var stream = archive.CreateEntry($"{folder}/version").Open()) stream.Write("3\n"u8);
        }
        return output.ToArray();
    }
}
