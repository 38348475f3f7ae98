using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.Training;

namespace LossLandscape.Core.Tests.Surfaces;

/// <summary>Small real checkpoints, trained once per test class: DigitsCnn epochs 0..2 and a linear softmax model.</summary>
public sealed class TrainedCheckpoints : IDisposable
{
    public TrainedCheckpoints()
    {
        LandscapeRuntime.Load();
        var data = new DatasetReference("Digits", MaxSamples: 300, SubsetSeed: 4);
        Cnn = Trainer.Run(LandscapeRuntime.Load(), new TrainingOptions { Model = ModelZoo.DefaultSpec("DigitsCnn"), Dataset = data, Epochs = 2, Seed = 11 }, Path.Combine(Directory, "cnn"), new SilentTrainingObserver());
        Linear = Trainer.Run(LandscapeRuntime.Load(), new TrainingOptions { Model = ModelZoo.DefaultSpec("Mlp") with { HiddenWidths = [] }, Dataset = data, Epochs = 1, Seed = 12 }, Path.Combine(Directory, "linear"), new SilentTrainingObserver());
    }

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "losslandscape-core-tests", Guid.NewGuid().ToString("N"));

    public IReadOnlyList<CheckpointInfo> Cnn { get; }

    public IReadOnlyList<CheckpointInfo> Linear { get; }

    public string NewFolder()
    {
        var folder = Path.Combine(Directory, Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(folder);
        return folder;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private sealed class SilentTrainingObserver : ITrainingObserver
    {
        public void BatchCompleted(TrainingProgress progress)
        {
        }

        public void CheckpointReady(CheckpointInfo checkpoint, bool reused)
        {
        }

        public void Verbose(string message)
        {
        }
    }
}
