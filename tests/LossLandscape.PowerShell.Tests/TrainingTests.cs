using System.Management.Automation;

namespace LossLandscape.PowerShell.Tests;

// Its checkpoints are compared byte for byte, and a training's last bits depend on its intra-op
// thread count, a process-wide setting that NativeLoadTests sets to 1 for a moment: in the parallel
// collection a seeded training twice started in that moment and differed from its twin. These run
// in the settings' collection, and one test here changes the setting itself.
[Collection(ProcessWideSettings.Name)]
public sealed class TrainingTests(ModuleRunspace shell) : IClassFixture<ModuleRunspace>
{
    private static readonly string SmallRun = "Invoke-LandscapeTraining -Model DigitsCnn -Dataset Digits -Epochs 2 -MaxSamples 300 -Seed 7 -OutputDirectory $dir";

    [Fact]
    public void TrainingWritesAndEmitsACheckpointPerEpochIncludingTheInitialOne()
    {
        using var temp = new TempDirectory();
        var result = shell.Invoke(SmallRun, new Dictionary<string, object?> { ["dir"] = temp.Path }).ShouldSucceed();

        Assert.Equal([0, 1, 2], result.Output.Select(o => (int)o.Properties["Epoch"].Value));
        foreach (var checkpoint in result.Output)
        {
            Assert.True(File.Exists((string)checkpoint.Properties["Path"].Value));
            Assert.True(File.Exists((string)checkpoint.Properties["MetadataPath"].Value));
            Assert.Equal("DigitsCnn", checkpoint.Properties["Architecture"].Value);
        }
        Assert.Contains(result.Progress, p => p.StatusDescription.StartsWith("Epoch 2/2 · batch ", StringComparison.Ordinal) && p.PercentComplete == 100);
        Assert.Contains(result.Progress, p => p.RecordType == ProgressRecordType.Completed);
        // Epoch 0 is the initialisation: 10 classes, so its loss is near ln 10 and accuracy near chance.
        var initial = result.Output[0];
        Assert.InRange((double)initial.Properties["TrainLoss"].Value, 1.5, 3.5);
        Assert.True((double)result.Output[2].Properties["TrainLoss"].Value < (double)initial.Properties["TrainLoss"].Value);
    }

    [Fact]
    public void WideResNet56TrainsAtTheWidthFactorTheZooListsAndImportAssumes()
    {
        using var temp = new TempDirectory();
        var result = shell.Invoke("""
            $final = @(Invoke-LandscapeTraining -Model WideResNet56 -Dataset SyntheticCifar -Epochs 1 -MaxSamples 4 -BatchSize 4 -Seed 1 -OutputDirectory $dir)[-1]
            $final.ParameterCount
            (Get-LandscapeModel WideResNet56).ParameterCount
            (Get-LandscapeModel WideResNet56).WidthFactor
            """, new Dictionary<string, object?> { ["dir"] = temp.Path }).ShouldSucceed();

        Assert.Equal(2, (int)result.Output[2].BaseObject);
        Assert.Equal((long)result.Output[1].BaseObject, (long)result.Output[0].BaseObject);
    }

    [Fact]
    public void SameSeedGivesIdenticalCheckpointBytes()
    {
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        shell.Invoke(SmallRun, new Dictionary<string, object?> { ["dir"] = first.Path }).ShouldSucceed();
        shell.Invoke(SmallRun, new Dictionary<string, object?> { ["dir"] = second.Path }).ShouldSucceed();

        var files = Directory.GetFiles(first.Path).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(files, Directory.GetFiles(second.Path).Select(Path.GetFileName).Order().ToArray());
        Assert.Contains("epoch-002.dat", files);
        foreach (var name in files)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(first.Path, name!)), File.ReadAllBytes(Path.Combine(second.Path, name!)));
        }
    }

    [Fact]
    public void DifferentSeedsGiveDifferentWeights()
    {
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        shell.Invoke(SmallRun.Replace("-Epochs 2", "-Epochs 1"), new Dictionary<string, object?> { ["dir"] = first.Path }).ShouldSucceed();
        shell.Invoke(SmallRun.Replace("-Epochs 2", "-Epochs 1").Replace("-Seed 7", "-Seed 8"), new Dictionary<string, object?> { ["dir"] = second.Path }).ShouldSucceed();
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(first.Path, "epoch-000.dat")), File.ReadAllBytes(Path.Combine(second.Path, "epoch-000.dat")));
    }

    [Fact]
    public void StoppedTrainingResumesAndEndsIdenticalToAnUninterruptedRun()
    {
        using var interrupted = new TempDirectory();
        using var uninterrupted = new TempDirectory();
        const string run = "Invoke-LandscapeTraining -Model DigitsCnn -Epochs 4 -MaxSamples 600 -Seed 3 -OutputDirectory $dir";

        using (var stopped = System.Management.Automation.PowerShell.Create())
        {
            stopped.Runspace = shell.Runspace;
            shell.Runspace.SessionStateProxy.SetVariable("dir", interrupted.Path);
            stopped.AddScript(run);
            var pending = stopped.BeginInvoke();
            var firstEpoch = Path.Combine(interrupted.Path, "epoch-001.json");
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (!File.Exists(firstEpoch) && !pending.IsCompleted && DateTime.UtcNow < deadline) Thread.Sleep(20);
            stopped.Stop();
            Assert.Equal(PSInvocationState.Stopped, stopped.InvocationStateInfo.State);
        }
        Assert.False(File.Exists(Path.Combine(interrupted.Path, "epoch-004.json")));

        var resumed = shell.Invoke(run + " -Verbose", new Dictionary<string, object?> { ["dir"] = interrupted.Path }).ShouldSucceed();
        Assert.Contains(resumed.Verbose, line => line.StartsWith("Resuming after epoch ", StringComparison.Ordinal));
        Assert.Equal([0, 1, 2, 3, 4], resumed.Output.Select(o => (int)o.Properties["Epoch"].Value));

        shell.Invoke(run, new Dictionary<string, object?> { ["dir"] = uninterrupted.Path }).ShouldSucceed();
        foreach (var name in Directory.GetFiles(uninterrupted.Path).Select(Path.GetFileName))
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(uninterrupted.Path, name!)), File.ReadAllBytes(Path.Combine(interrupted.Path, name!)));
        }
    }

    [Fact]
    public void AStepRunEmitsItsStepCheckpointsReportsStepAndRateAndARerunReusesThem()
    {
        using var temp = new TempDirectory();
        var variables = new Dictionary<string, object?> { ["dir"] = temp.Path };
        // 300 samples in batches of 64: 5 steps per epoch, so step 12 is in epoch 3.
        const string run = "Invoke-LandscapeTraining -Model Mlp -Steps 12 -CheckpointEvery 5 -Optimizer AdamW -LearningRate 0.01 -WarmupSteps 4 -MaxSamples 300 -Seed 2 -OutputDirectory $dir -Verbose";

        var result = shell.Invoke(run, variables).ShouldSucceed();

        Assert.Equal([0L, 5, 10, 12], result.Output.Select(o => (long)o.Properties["Step"].Value));
        Assert.All(result.Output, o => Assert.Null(o.Properties["Epoch"].Value));
        // Step 1 of a 4-step warm-up: ¼ of the rate (progress is throttled, but the first and the last step are shown).
        Assert.Contains(result.Progress, p => p.StatusDescription.StartsWith("Epoch 1/3 · batch 1/5 · step 1/12 · lr 0.0025 · loss ", StringComparison.Ordinal));
        Assert.Contains(result.Progress, p => p.StatusDescription.StartsWith("Epoch 3/3 · batch 2/5 · step 12/12 · lr 0.01 · loss ", StringComparison.Ordinal) && p.PercentComplete == 100);
        Assert.Contains(result.Verbose, line => line.StartsWith("Step 5: lr 0.01, train loss ", StringComparison.Ordinal));

        var again = shell.Invoke(run, variables).ShouldSucceed();
        Assert.Contains(again.Verbose, line => line.StartsWith("All 12 step(s) were already in ", StringComparison.Ordinal));
        Assert.Equal(result.Output.Select(o => o.Properties["Sha256"].Value), again.Output.Select(o => o.Properties["Sha256"].Value));
    }

    [Fact]
    public void EpochsAndStepsTogetherAreRefusedBeforeAnyFileIsWritten()
    {
        using var temp = new TempDirectory();
        var result = shell.Invoke("Invoke-LandscapeTraining -Model Mlp -Epochs 2 -Steps 10 -OutputDirectory $dir", new Dictionary<string, object?> { ["dir"] = temp.Path });

        var error = Assert.Single(result.Errors);
        Assert.Equal("TrainingArgumentInvalid,LossLandscape.PowerShell.Commands.InvokeLandscapeTrainingCommand", error.FullyQualifiedErrorId);
        Assert.Contains("-Epochs or -Steps", error.Exception.Message);
        Assert.Empty(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void ADifferentRunInTheSameFolderIsRefusedAndLeavesItsFilesIntact()
    {
        using var temp = new TempDirectory();
        shell.Invoke(SmallRun, new Dictionary<string, object?> { ["dir"] = temp.Path }).ShouldSucceed();
        var before = File.ReadAllBytes(Path.Combine(temp.Path, "epoch-002.dat"));

        var result = shell.Invoke(SmallRun.Replace("-Seed 7", "-Seed 9"), new Dictionary<string, object?> { ["dir"] = temp.Path });

        var error = Assert.Single(result.Errors);
        Assert.Equal("TrainingDirectoryConflict,LossLandscape.PowerShell.Commands.InvokeLandscapeTrainingCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceExists, error.CategoryInfo.Category);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(temp.Path, "epoch-002.dat")));

        // -Restart replaces that run with this one, exactly as in an empty folder.
        var restarted = shell.Invoke(SmallRun.Replace("-Seed 7", "-Seed 9") + " -Restart", new Dictionary<string, object?> { ["dir"] = temp.Path }).ShouldSucceed();
        Assert.Equal([0, 1, 2], restarted.Output.Select(o => (int)o.Properties["Epoch"].Value));
        using var fresh = new TempDirectory();
        shell.Invoke(SmallRun.Replace("-Seed 7", "-Seed 9"), new Dictionary<string, object?> { ["dir"] = fresh.Path }).ShouldSucceed();
        Assert.Equal(File.ReadAllBytes(Path.Combine(fresh.Path, "epoch-002.dat")), File.ReadAllBytes(Path.Combine(temp.Path, "epoch-002.dat")));
    }

    [Fact]
    public void EachCheckpointRecordsItsThreadsAndResumingWithOthersIsWarned()
    {
        var original = (int)shell.Invoke("(Get-LandscapeSetting).ThreadCount").ShouldSucceed().Output.Single().BaseObject;
        using var temp = new TempDirectory();
        var variables = new Dictionary<string, object?> { ["dir"] = temp.Path };
        try
        {
            var first = shell.Invoke(SmallRun.Replace("-Epochs 2", "-Epochs 1") + " -ThreadCount 1", variables).ShouldSucceed();
            Assert.Empty(first.Warnings);

            var resumed = shell.Invoke(SmallRun + " -ThreadCount 2", variables).ShouldSucceed();
            var warning = Assert.Single(resumed.Warnings);
            Assert.Contains("with 2 intra-op thread(s), but epochs up to 1 ran with 1", warning);
            Assert.Contains("-ThreadCount 1", warning);
            Assert.Equal([1, 1, 2], resumed.Output.Select(checkpoint => RecordedThreads((string)checkpoint.Properties["MetadataPath"].Value)));

            // Continued with the count it began with, the run is the uninterrupted one, byte for byte.
            using var continued = new TempDirectory();
            var again = new Dictionary<string, object?> { ["dir"] = continued.Path };
            shell.Invoke(SmallRun.Replace("-Epochs 2", "-Epochs 1") + " -ThreadCount 1", again).ShouldSucceed();
            Assert.Empty(shell.Invoke(SmallRun + " -ThreadCount 1", again).ShouldSucceed().Warnings);
            using var uninterrupted = new TempDirectory();
            shell.Invoke(SmallRun + " -ThreadCount 1", new Dictionary<string, object?> { ["dir"] = uninterrupted.Path }).ShouldSucceed();
            Assert.Equal(File.ReadAllBytes(Path.Combine(uninterrupted.Path, "epoch-002.dat")), File.ReadAllBytes(Path.Combine(continued.Path, "epoch-002.dat")));
        }
        finally
        {
            shell.Invoke($"Set-LandscapeSetting -ThreadCount {original}").ShouldSucceed();
        }
    }

    private static int RecordedThreads(string metadataPath)
    {
        using var metadata = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(metadataPath));
        return metadata.RootElement.GetProperty("intraOpThreads").GetInt32();
    }

    [Fact]
    public void DefaultCnnReachesNinetyFivePercentTestAccuracyOnDigits()
    {
        using var temp = new TempDirectory();
        var result = shell.Invoke("Invoke-LandscapeTraining -Model DigitsCnn -Dataset Digits -OutputDirectory $dir", new Dictionary<string, object?> { ["dir"] = temp.Path }).ShouldSucceed();

        var final = result.Output[^1];
        Assert.True((double)final.Properties["TestAccuracy"].Value >= 95.0, $"test accuracy {final.Properties["TestAccuracy"].Value}%");
    }

    [Fact]
    public void ModelAndDataMismatchIsAClearErrorBeforeAnyNativeCall()
    {
        using var temp = new TempDirectory();
        var result = shell.Invoke("Invoke-LandscapeTraining -Model ResNet20 -Epochs 1 -OutputDirectory $dir -LearningRate -1", new Dictionary<string, object?> { ["dir"] = temp.Path });
        var error = Assert.Single(result.Errors);
        Assert.Equal("TrainingArgumentInvalid,LossLandscape.PowerShell.Commands.InvokeLandscapeTrainingCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("LearningRate", error.Exception.Message);
        Assert.Empty(Directory.GetFiles(temp.Path));
    }
}
