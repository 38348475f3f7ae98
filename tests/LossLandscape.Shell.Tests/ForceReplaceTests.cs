using System.Security.Cryptography;

namespace LossLandscape.Shell.Tests;

/// <summary>
/// <c>Get-LossSurface -Force</c> over a finished file computes beside it and renames over it: a kill
/// leaves the old file byte-identical, a reader never misses the file, and the rerun resumes.
/// </summary>
public sealed class ForceReplaceTests : IDisposable
{
    private const string Surface = "Import-Checkpoint ckpt/epoch-001.dat | Get-LossSurface -Steps 11 -ThrottleLimit 1 -Verbose -OutFile ";
    private const int RecordLength = 28;
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("losslandscape-force-");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public async Task KilledForceRunLeavesTheOldFileReadableAndIdenticalAndTheRerunResumesToACleanRunsBytes()
    {
        var setup = ShellProcess.RunIn(folder.FullName, TimeSpan.FromMinutes(2), "-Command",
            "Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 200 -Seed 5 -OutputDirectory ckpt | Out-Null; "
            + Surface + "clean.h5 | Out-Null; "
            + "Import-Checkpoint ckpt/epoch-001.dat | Get-LossSurface -Steps 5 -OutFile surface.h5 | Out-Null");
        Assert.True(setup.ExitCode == 0, setup.StdErr);
        var surface = Path.Combine(folder.FullName, "surface.h5");
        var sideJournal = surface + ".force.journal";
        var old = File.ReadAllBytes(surface);

        var reads = 0;
        using (var running = ShellProcess.Start(folder.FullName, "-Command", Surface + "surface.h5 -Force"))
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (!running.HasExited && DateTime.UtcNow < deadline && RecordsIn(sideJournal) < 5)
            {
                Assert.Equal(old, File.ReadAllBytes(surface));
                reads++;
                Thread.Sleep(2);
            }
            Assert.False(running.HasExited, "the run finished before it could be killed");
            running.Kill();
            running.WaitForExit();
        }
        Assert.True(reads > 0);
        Assert.Equal(old, File.ReadAllBytes(surface));
        var recordsBeforeResume = RecordsIn(sideJournal);
        Assert.InRange(recordsBeforeResume, 5, 120);

        var seen = new HashSet<string>();
        var rerun = Task.Run(() => ShellProcess.RunIn(folder.FullName, TimeSpan.FromMinutes(2), "-Command", Surface + "surface.h5 -Force"));
        while (!rerun.IsCompleted)
        {
            seen.Add(Hash(File.ReadAllBytes(surface)));
            Thread.Sleep(2);
        }
        var resumed = await rerun;
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        Assert.Contains($"Resuming: {recordsBeforeResume} of 121 points already computed", resumed.StdErr);
        Assert.False(File.Exists(sideJournal));
        Assert.False(File.Exists(surface + ".force"));
        var replaced = File.ReadAllBytes(surface);
        Assert.NotEqual(old, replaced);
        // Every read during the rerun found one whole file, the old or the new one.
        Assert.Subset(new HashSet<string> { Hash(old), Hash(replaced) }, seen);
        Assert.Equal(File.ReadAllBytes(Path.Combine(folder.FullName, "clean.h5")), replaced);
    }

    private static string Hash(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes));

    /// <summary>Whole point records in a journal (after its 12-byte header and metadata JSON); 0 while it has none.</summary>
    private static long RecordsIn(string journal)
    {
        if (!File.Exists(journal)) return 0;
        using var stream = new FileStream(journal, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length < 12) return 0;
        var header = new byte[12];
        stream.ReadExactly(header);
        return Math.Max(0, (stream.Length - 12 - BitConverter.ToInt32(header, 8)) / RecordLength);
    }
}
