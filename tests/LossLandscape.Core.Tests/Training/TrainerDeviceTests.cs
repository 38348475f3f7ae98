using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.Tests.Surfaces;
using LossLandscape.Core.Training;

namespace LossLandscape.Core.Tests.Training;

/// <summary>The device of a training run: an explicit CPU writes the same bytes, a missing device stops the run before its folder is touched.</summary>
public sealed class TrainerDeviceTests(TrainedCheckpoints checkpoints) : IClassFixture<TrainedCheckpoints>
{
    // The options TrainedCheckpoints trained its CNN with.
    private static readonly TrainingOptions CnnOptions = new()
    {
        Model = ModelZoo.DefaultSpec("DigitsCnn"),
        Dataset = new DatasetReference("Digits", MaxSamples: 300, SubsetSeed: 4),
        Epochs = 2,
        Seed = 11,
    };

    [Fact]
    public void AnExplicitCpuWritesTheDefaultRunsCheckpointsByteForByte()
    {
        var folder = checkpoints.NewFolder();

        var onCpu = Trainer.Run(LandscapeRuntime.Load(), CnnOptions, folder, new SilentObserver(), device: ComputeDevice.Parse("cpu"));

        Assert.Equal(checkpoints.Cnn.Count, onCpu.Count);
        foreach (var (expected, actual) in checkpoints.Cnn.Zip(onCpu))
        {
            Assert.Equal(File.ReadAllBytes(expected.StatePath), File.ReadAllBytes(actual.StatePath));
            Assert.Equal(File.ReadAllBytes(expected.MetadataPath), File.ReadAllBytes(actual.MetadataPath));
        }
    }

    [Fact]
    public void TheDeviceIsNotPartOfTheRunSoAFinishedRunIsReusedOnAnyDevice()
    {
        var observer = new SilentObserver();

        var again = Trainer.Run(LandscapeRuntime.Load(), CnnOptions, Path.GetDirectoryName(checkpoints.Cnn[0].StatePath)!, observer, device: ComputeDevice.Cpu);

        Assert.Equal(checkpoints.Cnn.Select(c => c.Metadata.StateSha256), again.Select(c => c.Metadata.StateSha256));
        Assert.Equal(checkpoints.Cnn.Count, observer.Reused);
    }

    [Fact]
    public void AnUnavailableDeviceStopsTheRunBeforeItTouchesItsFolder()
    {
        var options = CnnOptions with { Model = ModelZoo.DefaultSpec("Mlp") with { HiddenWidths = [] }, Epochs = 1 };
        var folder = checkpoints.NewFolder();
        var written = Trainer.Run(LandscapeRuntime.Load(), options, folder, new SilentObserver());
        var before = Directory.GetFiles(folder).Order().Select(File.ReadAllBytes).ToArray();
        var fresh = Path.Combine(checkpoints.NewFolder(), "run");

        Assert.Throws<DeviceUnavailableException>(() => Trainer.Run(LandscapeRuntime.Load(), options, folder, new SilentObserver(), restart: true, device: ComputeDevice.Parse("cuda")));
        Assert.Throws<DeviceUnavailableException>(() => Trainer.Run(LandscapeRuntime.Load(), options, fresh, new SilentObserver(), device: ComputeDevice.Parse("cuda:1")));

        Assert.Equal(before, Directory.GetFiles(folder).Order().Select(File.ReadAllBytes).ToArray());
        Assert.Equal(2, written.Count);
        Assert.False(Directory.Exists(fresh));
    }

    private sealed class SilentObserver : ITrainingObserver
    {
        public int Reused { get; private set; }

        public void BatchCompleted(TrainingProgress progress)
        {
        }

        public void CheckpointReady(CheckpointInfo checkpoint, bool reused)
        {
            if (reused) Reused++;
        }

        public void Verbose(string message)
        {
        }
    }
}
