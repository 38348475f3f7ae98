using LossLandscape.Core.Data;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Tests.Data;

/// <summary>The python-version CIFAR-10 batches (pickles of numpy arrays), written by real numpy.</summary>
public sealed class Cifar10PythonLayoutTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Cifar10Python");

    // make_cifar_python.py's formula.
    private static int Pixel(int batch, int record, int index) => (batch * 31 + record * 17 + index * 7) % 256;

    [Fact]
    public void TrainSplitDecodesEveryPixelWithThePapersNormalization()
    {
        var train = Cifar10Folder.Load(LandscapeRuntime.Load().DatasetCache, Folder, DatasetSplit.Train);
        Assert.Equal(10, train.Count);
        Assert.Equal((3, 32, 32, 10), (train.Channels, train.Height, train.Width, train.ClassCount));
        for (var batch = 1; batch <= 5; batch++)
        {
            for (var record = 0; record < 2; record++)
            {
                var sample = (batch - 1) * 2 + record;
                Assert.Equal((batch + record) % 10, train.Labels[sample]);
                for (var i = 0; i < 3072; i++)
                {
                    var channel = i / 1024;
                    var expected = (float)((Pixel(batch, record, i) / 255.0 - Cifar10Folder.Mean[channel]) / Cifar10Folder.StandardDeviation[channel]);
                    Assert.Equal(expected, train.Inputs[sample * 3072 + i], 1e-6f);
                }
            }
        }
    }

    [Fact]
    public void TestSplitIsTheTestBatch()
    {
        var test = Cifar10Folder.Load(LandscapeRuntime.Load().DatasetCache, Folder, DatasetSplit.Test);
        Assert.Equal([0L, 1L], test.Labels);
    }

    [Fact]
    public void AHostilePickleInTheFolderIsRefused()
    {
        var folder = Directory.CreateTempSubdirectory("ll-cifar-py-");
        try
        {
            foreach (var file in Directory.GetFiles(Folder, "*_batch*")) File.Copy(file, Path.Combine(folder.FullName, Path.GetFileName(file)));
            // pickle.dumps of a __reduce__ returning (os.system, ('echo',)), protocol 2.
            byte[] hostile = [0x80, 0x02, (byte)'c', .. "os\nsystem\n"u8.ToArray(), (byte)'X', 4, 0, 0, 0, .. "echo"u8.ToArray(), 0x85, (byte)'R', (byte)'.'];
            File.WriteAllBytes(Path.Combine(folder.FullName, "test_batch"), hostile);
            var error = Assert.ThrowsAny<InvalidDataException>(() => Cifar10Folder.Load(LandscapeRuntime.Load().DatasetCache, folder.FullName, DatasetSplit.Test));
            Assert.Contains("test_batch", error.Message);
            Assert.Contains("os.system", error.Message);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
