namespace LossLandscape.Shell.Tests;

/// <summary>A surface run killed with SIGKILL at an arbitrary moment resumes, and ends bit-identical.</summary>
public sealed class KillAndResumeTests : IDisposable
{
    private const string Surface = "Import-Checkpoint ckpt/epoch-001.dat | Get-LossSurface -Steps 15 -ThrottleLimit 1 -Verbose -OutFile ";
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("losslandscape-kill-");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public void KilledSurfaceRunResumesWithoutRecomputingAndEndsBitIdentical()
    {
        var train = ShellProcess.RunIn(folder.FullName, TimeSpan.FromMinutes(2), "-Command", "Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 400 -Seed 5 -OutputDirectory ckpt | Out-Null");
        Assert.True(train.ExitCode == 0, train.StdErr);

        var killedFile = Path.Combine(folder.FullName, "killed.h5");
        var journal = killedFile + ".journal";
        using (var running = ShellProcess.Start(folder.FullName, "-Command", Surface + "killed.h5"))
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            // Header (metadata JSON) plus at least five 28-byte point records.
            while (!running.HasExited && DateTime.UtcNow < deadline && (!File.Exists(journal) || new FileInfo(journal).Length < HeaderLength(journal) + 5 * 28))
            {
                Thread.Sleep(5);
            }
            Assert.False(running.HasExited, "the run finished before it could be killed");
            running.Kill();
            running.WaitForExit();
        }
        Assert.False(File.Exists(killedFile));
        var recordsBeforeResume = (new FileInfo(journal).Length - HeaderLength(journal)) / 28;
        Assert.InRange(recordsBeforeResume, 5, 224);

        var resumed = ShellProcess.RunIn(folder.FullName, TimeSpan.FromMinutes(2), "-Command", Surface + "killed.h5");
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        Assert.Contains($"Resuming: {recordsBeforeResume} of 225 points already computed", resumed.StdErr);
        Assert.Contains($"{225 - recordsBeforeResume} point(s) to compute", resumed.StdErr);
        Assert.False(File.Exists(journal));

        var uninterrupted = ShellProcess.RunIn(folder.FullName, TimeSpan.FromMinutes(2), "-Command", Surface + "whole.h5");
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.StdErr);
        Assert.Equal(File.ReadAllBytes(Path.Combine(folder.FullName, "whole.h5")), File.ReadAllBytes(killedFile));
    }

    [Fact]
    public void KilledRunOfFiveDirectionDrawsResumesWithoutRecomputingAndEndsBitIdentical()
    {
        const string draws = "Import-Checkpoint ckpt/epoch-001.dat | Get-LossSurface -Steps 7 -DirectionCount 5 -MaxSamples 200 -ThrottleLimit 1 -Verbose -OutFile ";
        var train = ShellProcess.RunIn(folder.FullName, TimeSpan.FromMinutes(2), "-Command", "Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 400 -Seed 5 -OutputDirectory ckpt | Out-Null");
        Assert.True(train.ExitCode == 0, train.StdErr);

        var killedFile = Path.Combine(folder.FullName, "killed.h5");
        var journal = killedFile + ".journal";
        using (var running = ShellProcess.Start(folder.FullName, "-Command", draws + "killed.h5"))
        {
            var deadline = DateTime.UtcNow.AddMinutes(3);
            // Past draw 0's 49 points, so the kill lands in a later draw.
            while (!running.HasExited && DateTime.UtcNow < deadline && (!File.Exists(journal) || new FileInfo(journal).Length < HeaderLength(journal) + 60 * 28))
            {
                Thread.Sleep(5);
            }
            Assert.False(running.HasExited, "the run finished before it could be killed");
            running.Kill();
            running.WaitForExit();
        }
        Assert.False(File.Exists(killedFile));
        var recordsBeforeResume = (new FileInfo(journal).Length - HeaderLength(journal)) / 28;
        Assert.InRange(recordsBeforeResume, 60, 244);

        var resumed = ShellProcess.RunIn(folder.FullName, TimeSpan.FromMinutes(3), "-Command", draws + "killed.h5");
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        Assert.Contains($"Resuming: {recordsBeforeResume} of 245 points already computed", resumed.StdErr);
        Assert.Contains($"{245 - recordsBeforeResume} point(s) to compute", resumed.StdErr);
        Assert.False(File.Exists(journal));

        var uninterrupted = ShellProcess.RunIn(folder.FullName, TimeSpan.FromMinutes(3), "-Command", draws + "whole.h5");
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
