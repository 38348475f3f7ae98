using LossLandscape.Core.Data;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Tests.Data;

public sealed class Cifar10FolderTests : IDisposable
{
    private const int RecordsPerFile = 7;
    private const int PlaneSize = 32 * 32;
    private static readonly string[] TrainNames = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];

    private readonly string folder = Path.Combine(Path.GetTempPath(), "losslandscape-core-tests", Guid.NewGuid().ToString("N"));

    public Cifar10FolderTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void FirstTrainImageIsTheFirstRecordNormalizedPerChannelInRedGreenBlueRowMajorOrder()
    {
        WriteAll(folder);
        var train = DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, DatasetCatalog.FromFolder(folder, DatasetFormat.Cifar10));

        Assert.Equal((3, 32, 32, 10), (train.Channels, train.Height, train.Width, train.ClassCount));
        Assert.Equal(5 * RecordsPerFile, train.Count);
        var record = Record(file: 0, index: 0);
        Assert.Equal(record[0], train.Labels[0]);
        double[] mean = [125.3 / 255, 123.0 / 255, 113.9 / 255];
        double[] std = [63.0 / 255, 62.1 / 255, 66.7 / 255];
        for (var channel = 0; channel < 3; channel++)
        {
            for (var row = 0; row < 32; row++)
            {
                for (var column = 0; column < 32; column++)
                {
                    var pixel = record[1 + channel * PlaneSize + row * 32 + column];
                    var expected = (pixel / 255.0 - mean[channel]) / std[channel];
                    Assert.Equal(expected, train.Inputs[channel * PlaneSize + row * 32 + column], 5);
                }
            }
        }
    }

    [Fact]
    public void ChannelsAreRedPlaneFirstAndRowsAreRowMajor()
    {
        // A record that is black except red (row 0, column 1) = 255 and blue (row 1, column 0) = 255.
        var record = new byte[3073];
        record[0] = 9;
        record[1 + 1] = 255;
        record[1 + 2 * PlaneSize + 32] = 255;
        File.WriteAllBytes(Path.Combine(folder, "test_batch.bin"), record);

        var test = DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, DatasetCatalog.FromFolder(folder, DatasetFormat.Cifar10, DatasetSplit.Test));

        var black = (float)((0 - 125.3 / 255) / (63.0 / 255));
        Assert.Equal(9, test.Labels.Single());
        Assert.Equal(black, test.Inputs[0], 5);
        Assert.Equal((255 - 125.3) / 63.0, test.Inputs[1], 5);
        Assert.Equal((255 - 113.9) / 66.7, test.Inputs[2 * PlaneSize + 32], 5);
        Assert.Equal((0 - 113.9) / 66.7, test.Inputs[2 * PlaneSize + 1], 5);
    }

    [Fact]
    public void TrainIsTheFiveBatchesInOrderAndTestIsTheTestBatch()
    {
        WriteAll(folder);
        var train = DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, DatasetCatalog.FromFolder(folder, DatasetFormat.Cifar10));
        var test = DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, DatasetCatalog.FromFolder(folder, DatasetFormat.Cifar10, DatasetSplit.Test));

        var expectedTrainLabels = Enumerable.Range(0, 5).SelectMany(file => Enumerable.Range(0, RecordsPerFile).Select(index => (long)Record(file, index)[0]));
        Assert.Equal(expectedTrainLabels, train.Labels);
        Assert.Equal(Enumerable.Range(0, RecordsPerFile).Select(index => (long)Record(5, index)[0]), test.Labels);
        // The first pixel of each record tells which file and record it came from.
        for (var sample = 0; sample < train.Count; sample++)
        {
            var expected = (Record(sample / RecordsPerFile, sample % RecordsPerFile)[1] / 255.0 - 125.3 / 255) / (63.0 / 255);
            Assert.Equal(expected, train.Inputs[sample * 3 * PlaneSize], 5);
        }
    }

    [Fact]
    public void ReadsTheArchivesSubfolder()
    {
        WriteAll(Path.Combine(folder, "cifar-10-batches-bin"));
        var test = DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, DatasetCatalog.FromFolder(folder, DatasetFormat.Cifar10, DatasetSplit.Test));
        Assert.Equal(RecordsPerFile, test.Count);
    }

    [Fact]
    public void MissingFolderOrFilesSayWhatIsExpectedWhere()
    {
        var absent = Path.Combine(folder, "absent");
        var noFolder = Assert.Throws<DirectoryNotFoundException>(() => DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, DatasetCatalog.FromFolder(absent, DatasetFormat.Cifar10)));
        Assert.Contains(absent, noFolder.Message);
        Assert.Contains("data_batch_1.bin", noFolder.Message);

        WriteAll(folder);
        File.Delete(Path.Combine(folder, "data_batch_4.bin"));
        var noBatch = Assert.Throws<FileNotFoundException>(() => DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, DatasetCatalog.FromFolder(folder, DatasetFormat.Cifar10)));
        Assert.Contains("missing: data_batch_4.bin", noBatch.Message);
        Assert.Contains("data_batch_5.bin", noBatch.Message);
        Assert.Contains(folder, noBatch.Message);
        // The test split needs only its own file.
        Assert.Equal(RecordsPerFile, DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, DatasetCatalog.FromFolder(folder, DatasetFormat.Cifar10, DatasetSplit.Test)).Count);
    }

    [Fact]
    public void FileThatIsNotWholeRecordsIsInvalid()
    {
        File.WriteAllBytes(Path.Combine(folder, "test_batch.bin"), new byte[3073 * 2 + 100]);
        var error = Assert.Throws<InvalidDataException>(() => DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, DatasetCatalog.FromFolder(folder, DatasetFormat.Cifar10, DatasetSplit.Test)));
        Assert.Contains("3073", error.Message);
        Assert.Contains("test_batch.bin", error.Message);
    }

    [Fact]
    public void LabelAboveNineIsInvalid()
    {
        var record = new byte[3073];
        record[0] = 10;
        File.WriteAllBytes(Path.Combine(folder, "test_batch.bin"), record);
        Assert.Throws<InvalidDataException>(() => DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, DatasetCatalog.FromFolder(folder, DatasetFormat.Cifar10, DatasetSplit.Test)));
    }

    [Fact]
    public void ChangedFileIsReadAgainAndAnUnchangedOneIsNot()
    {
        var path = Path.Combine(folder, "test_batch.bin");
        WriteAll(folder);
        var reference = DatasetCatalog.FromFolder(folder, DatasetFormat.Cifar10, DatasetSplit.Test);
        var first = DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, reference);
        Assert.Same(first, DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, reference));

        // Same size, other labels, and a later write time (set explicitly so that coarse file-system clocks cannot hide the change).
        var bytes = File.ReadAllBytes(path);
        for (var record = 0; record < RecordsPerFile; record++) bytes[record * 3073] = (byte)((bytes[record * 3073] + 1) % 10);
        var written = File.GetLastWriteTimeUtc(path);
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, written.AddMinutes(1));

        var second = DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, reference);
        Assert.NotSame(first, second);
        Assert.Equal(first.Labels.Select(label => (label + 1) % 10), second.Labels);
    }

    /// <summary>Record <paramref name="index"/> of batch file <paramref name="file"/> (5 = test): label and pixels from a per-record pattern.</summary>
    private static byte[] Record(int file, int index)
    {
        var record = new byte[3073];
        record[0] = (byte)((3 * file + index) % 10);
        for (var i = 1; i < record.Length; i++) record[i] = (byte)((i * 7 + file * 31 + index * 13) % 256);
        return record;
    }

    private static void WriteAll(string directory)
    {
        Directory.CreateDirectory(directory);
        string[] names = [.. TrainNames, "test_batch.bin"];
        for (var file = 0; file < names.Length; file++)
            File.WriteAllBytes(Path.Combine(directory, names[file]), Enumerable.Range(0, RecordsPerFile).SelectMany(index => Record(file, index)).ToArray());
    }
}
