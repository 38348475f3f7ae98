namespace LossLandscape.Shell.Tests;

/// <summary>A surface run killed with SIGKILL at an arbitrary moment resumes, and ends bit-identical.</summary>
public sealed class KillAndResumeTests : IDisposable
{
    private const string Surface = "Import-Checkpoint ckpt/epoch-001.dat | Get-LossSurface -Steps 15 -ThrottleLimit 1 -Verbose -OutFile ";
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("losslandscape-kill-");

    public void Dispose() => folder.Delete(recursive: true);

    // Header (metadata JSON) plus at least five 28-byte point records.
    [Fact]
    public void KilledSurfaceRunResumesWithoutRecomputingAndEndsBitIdentical() =>
        KillResumeAndCompare(Surface, points: 225, killAfter: 5, TimeSpan.FromMinutes(2));

    // Past draw 0's 49 points, so the kill lands in a later draw.
    [Fact]
    public void KilledRunOfFiveDirectionDrawsResumesWithoutRecomputingAndEndsBitIdentical() =>
        KillResumeAndCompare("Import-Checkpoint ckpt/epoch-001.dat | Get-LossSurface -Steps 7 -DirectionCount 5 -MaxSamples 200 -ThrottleLimit 1 -Verbose -OutFile ", points: 245, killAfter: 60, TimeSpan.FromMinutes(3));

    /// <summary>
    /// Kills <paramref name="surface"/> (a command ending in -OutFile) once its journal holds <paramref name="killAfter"/>
    /// 28-byte point records, reruns it, and checks that only the rest of its <paramref name="points"/> are computed and
    /// that the file equals an uninterrupted run's byte for byte.
    /// </summary>
    private void KillResumeAndCompare(string surface, int points, int killAfter, TimeSpan limit)
    {
        var train = ShellProcess.RunIn(folder.FullName, TimeSpan.FromMinutes(2), "-Command", "Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 400 -Seed 5 -OutputDirectory ckpt | Out-Null");
        Assert.True(train.ExitCode == 0, train.StdErr);

        var killedFile = Path.Combine(folder.FullName, "killed.h5");
        var journal = killedFile + ".journal";
        using (var running = ShellProcess.Start(folder.FullName, "-Command", surface + "killed.h5"))
        {
            var deadline = DateTime.UtcNow + limit;
            while (!running.HasExited && DateTime.UtcNow < deadline && (!File.Exists(journal) || new FileInfo(journal).Length < HeaderLength(journal) + killAfter * 28))
            {
                Thread.Sleep(5);
            }
            Assert.False(running.HasExited, "the run finished before it could be killed");
            running.Kill();
            running.WaitForExit();
        }
        Assert.False(File.Exists(killedFile));
        var recordsBeforeResume = (new FileInfo(journal).Length - HeaderLength(journal)) / 28;
        Assert.InRange(recordsBeforeResume, killAfter, points - 1);

        var resumed = ShellProcess.RunIn(folder.FullName, limit, "-Command", surface + "killed.h5");
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        Assert.Contains($"Resuming: {recordsBeforeResume} of {points} points already computed", resumed.StdErr);
        Assert.Contains($"{points - recordsBeforeResume} point(s) to compute", resumed.StdErr);
        Assert.False(File.Exists(journal));

        var uninterrupted = ShellProcess.RunIn(folder.FullName, limit, "-Command", surface + "whole.h5");
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.StdErr);
        Assert.Equal(File.ReadAllBytes(Path.Combine(folder.FullName, "whole.h5")), File.ReadAllBytes(killedFile));
    }

    private static long HeaderLength(string journal)
    {
        if (!File.Exists(journal) || new FileInfo(journal).Length < 12) return long.MaxValue / 2;
        using var stream = new FileStream(journal, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var header = new byte[12];
        stream.ReadExactly(header);
        return 12 + BitConverter.ToInt32(header, 8);
    }
}
