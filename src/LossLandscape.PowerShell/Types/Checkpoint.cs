using LossLandscape.Core.Checkpoints;

namespace LossLandscape.PowerShell.Types;

/// <summary>A checkpoint on disk, as it travels on the pipeline: a description, never tensors.</summary>
public sealed class Checkpoint
{
    internal Checkpoint(CheckpointInfo info)
    {
        Info = info;
        var metadata = info.Metadata;
        Path = info.StatePath;
        MetadataPath = info.MetadataPath;
        Name = info.Name;
        Architecture = metadata.Model.Architecture;
        Epoch = metadata.Epoch;
        Step = metadata.Step;
        ParameterCount = info.ParameterCount;
        TensorCount = info.Tensors.Count;
        Layers = info.Layers.ToArray();
        Sha256 = metadata.StateSha256;
        Dataset = metadata.Dataset?.ToString();
        Seed = metadata.Training?.Seed;
        LearningRate = metadata.LearningRate;
        TrainLoss = metadata.TrainLoss;
        TrainAccuracy = metadata.TrainAccuracy;
        TestLoss = metadata.TestLoss;
        TestAccuracy = metadata.TestAccuracy;
    }

    internal CheckpointInfo Info { get; }

    /// <summary>Full path of the state file (binds to -Path of Import-Checkpoint).</summary>
    public string Path { get; }

    public string MetadataPath { get; }

    public string Name { get; }

    public string Architecture { get; }

    /// <summary>LossLandscape (TorchSharp state dictionary + JSON side file), PyTorch, Safetensors or TorchScript.</summary>
    public string Format => Info.Format.ToString();

    public int? Epoch { get; }

    /// <summary>Optimizer steps before this checkpoint, for a run checkpointed by step.</summary>
    public long? Step { get; }

    public long ParameterCount { get; }

    public int TensorCount { get; }

    /// <summary>NaN or ±∞ values in the weights or statistics (0 for a healthy checkpoint).</summary>
    public long NonFiniteCount => Info.NonFiniteCount;

    public LayerSummary[] Layers { get; }

    public string Sha256 { get; }

    public string? Dataset { get; }

    public long? Seed { get; }

    public double? LearningRate { get; }

    public double? TrainLoss { get; }

    /// <summary>Percent.</summary>
    public double? TrainAccuracy { get; }

    public double? TestLoss { get; }

    /// <summary>Percent.</summary>
    public double? TestAccuracy { get; }

    public override string ToString() =>
        $"{Architecture} {Name}" + (Epoch is { } e ? $" (epoch {e})" : Step is { } s ? $" (step {s})" : "") + (TestAccuracy is { } a ? $", test {a:F2}%" : "");
}
