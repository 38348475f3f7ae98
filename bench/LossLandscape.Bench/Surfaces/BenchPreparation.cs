using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Checkpoints.Formats;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Native;
using LossLandscape.Core.Training;

namespace LossLandscape.Bench.Surfaces;

/// <summary>Trains (or reuses) the checkpoints and writes the files the Python reference reads.</summary>
internal static class BenchPreparation
{
    public const string ManifestFile = "manifest.json";

    /// <summary>
    /// The last checkpoint of a training run in a folder keyed by the options, so a rerun of the bench
    /// finds it (the Trainer resumes a finished run without training).
    /// </summary>
    public static CheckpointInfo Checkpoint(TrainingOptions training)
    {
        var settings = JsonSerializer.Serialize(training, CheckpointStore.JsonOptions);
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(settings)))[..12].ToLowerInvariant();
        var folder = Path.Combine(BenchPaths.WorkRoot, "checkpoints", $"{training.Model.Architecture}-{key}");
        return Trainer.Run(LandscapeRuntime.Load(), training, folder, new ConsoleTrainingObserver(training.Model.Architecture))[^1];
    }

    /// <summary>θ* (the full state dict, BN statistics included), the directions per parameter and the data, for the reference.</summary>
    /// <returns>The folder holding <see cref="ManifestFile"/>.</returns>
    public static string ExportForReference(BenchCase benchCase, CheckpointInfo checkpoint, DirectionVector x, DirectionVector? y)
    {
        if (x.Buffers is not null || y?.Buffers is not null)
            throw new NotSupportedException("The directions move BN running statistics; the reference follows the paper's weights-only directions and cannot reproduce that.");
        var folder = Path.Combine(BenchPaths.CaseFolder(benchCase), "reference-input");
        Directory.CreateDirectory(folder);

        SafetensorsWriter.Write(Path.Combine(folder, "state.safetensors"), CheckpointExporter.StateOf(LandscapeRuntime.Load(), checkpoint));

        using (var model = CheckpointStore.LoadModel(LandscapeRuntime.Load(), checkpoint))
        {
            var layout = ParameterLayout.Of(model);
            var perParameter = new List<NamedTensor>();
            foreach (var (axis, direction) in y is null ? [("x", x)] : new[] { ("x", x), ("y", y) })
            {
                perParameter.AddRange(layout.Parameters.Select(p =>
                    NamedTensor.FromFloat32($"{axis}/{p.Name}", p.Shape, direction.Parameters.AsSpan((int)p.Offset, (int)p.Length))));
            }
            SafetensorsWriter.Write(Path.Combine(folder, "directions.safetensors"), new StateDictionary(perParameter));
        }

        var arrays = DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, benchCase.Data);
        SafetensorsWriter.Write(Path.Combine(folder, "data.safetensors"), new StateDictionary(
        [
            NamedTensor.FromFloat32("inputs", [arrays.Count, arrays.Channels, arrays.Height, arrays.Width], arrays.Inputs),
            new NamedTensor("labels", TensorDType.Int64, [arrays.Count], MemoryMarshal.AsBytes(arrays.Labels.AsSpan()).ToArray()),
        ]));

        var spec = checkpoint.Metadata.Model;
        BenchJson.Write(Path.Combine(folder, ManifestFile), new ReferenceManifest(
            spec.Architecture, spec.InputChannels, spec.InputHeight, spec.InputWidth, spec.ClassCount,
            benchCase.Grid.X, benchCase.Grid.Y, "state.safetensors", "directions.safetensors", "data.safetensors"));
        return folder;
    }

    private sealed class ConsoleTrainingObserver(string architecture) : ITrainingObserver
    {
        public void BatchCompleted(TrainingProgress progress)
        {
        }

        public void CheckpointReady(CheckpointInfo checkpoint, bool reused)
        {
            if (!reused) Console.WriteLine($"  trained {architecture} epoch {checkpoint.Metadata.Epoch}: train loss {checkpoint.Metadata.TrainLoss:F4}, acc {checkpoint.Metadata.TrainAccuracy:F1}%");
        }

        public void Verbose(string message)
        {
        }
    }
}
