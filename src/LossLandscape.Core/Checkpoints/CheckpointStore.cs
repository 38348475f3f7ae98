using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using TorchSharp;
using static TorchSharp.torch;
using LossLandscape.Core.Common;

namespace LossLandscape.Core.Checkpoints;

/// <summary>
/// Our checkpoint format: TorchSharp's own state dictionary (<c>name.dat</c>) plus a JSON side
/// file (<c>name.json</c>, <see cref="CheckpointMetadata"/>). Files are written aside and renamed,
/// the JSON last, so a checkpoint whose JSON exists is complete.
/// </summary>
public static class CheckpointStore
{
    public const string StateExtension = ".dat";
    public const string MetadataExtension = ".json";

    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    // Float64 is the widest element type; names, types and shapes take little beside the data.
    private const long MaxElementBytes = 8;
    private const long MaxNameAndHeaderBytes = 1 << 20;

    public static string EpochFileName(int epoch) => $"epoch-{epoch:D3}";

    /// <summary>Saves the model's state and the metadata (whose hash and file fields are filled in here).</summary>
    public static CheckpointInfo Write(LandscapeRuntime runtime, nn.Module model, CheckpointMetadata metadata, string directory, string name)
    {
        Directory.CreateDirectory(directory);
        var statePath = Path.Combine(directory, name + StateExtension);
        var metadataPath = Path.Combine(directory, name + MetadataExtension);

        AtomicFile.WriteVia(statePath, temporary => model.save(temporary));
        var hash = Sha256(statePath);

        var complete = metadata with { StateFile = Path.GetFileName(statePath), StateSha256 = hash };
        AtomicFile.WriteAllBytes(metadataPath, JsonSerializer.SerializeToUtf8Bytes(complete, JsonOptions));
        return Read(runtime, statePath);
    }

    /// <summary>
    /// <see cref="Write"/> for a training run that keeps <paramref name="sideFile"/> (its optimizer's state)
    /// beside the checkpoint: when writing fails none of the three files stays, since a state or side file
    /// without its JSON is no checkpoint a rerun could resume from.
    /// </summary>
    public static CheckpointInfo WriteWithSideFile(LandscapeRuntime runtime, nn.Module model, CheckpointMetadata metadata, string directory, string name, string sideFile)
    {
        try
        {
            return Write(runtime, model, metadata, directory, name);
        }
        catch
        {
            File.Delete(Path.Combine(directory, name + MetadataExtension));
            File.Delete(Path.Combine(directory, name + StateExtension));
            File.Delete(sideFile);
            throw;
        }
    }

    /// <summary>
    /// Reads and validates a checkpoint given its <c>.dat</c> or <c>.json</c> path: the side file
    /// parses, the state file is well formed, and its names and shapes are the architecture's.
    /// </summary>
    /// <param name="verifyHash">Refuse a state file whose SHA-256 is not the one the side file recorded (a flipped byte, a swapped file).</param>
    /// <exception cref="CheckpointException">With the <see cref="CheckpointErrorKind"/> of the first problem.</exception>
    public static CheckpointInfo Read(LandscapeRuntime runtime, string path, bool verifyHash = true)
    {
        var fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
            throw new CheckpointException(CheckpointErrorKind.IsDirectory, fullPath, $"'{fullPath}' is a directory, not a checkpoint file nor a Hugging Face folder (it has no config.json). Pass the .dat or .json file, or a wildcard such as '{Path.Combine(fullPath, "*.dat")}'.");
        if (!File.Exists(fullPath))
            throw new CheckpointException(CheckpointErrorKind.NotFound, fullPath, $"The checkpoint '{fullPath}' does not exist.");

        var metadataPath = Path.ChangeExtension(fullPath, MetadataExtension);
        if (!File.Exists(metadataPath))
            throw new CheckpointException(CheckpointErrorKind.MissingMetadata, fullPath, $"The checkpoint '{fullPath}' has no side file '{Path.GetFileName(metadataPath)}' naming its architecture.");
        CheckpointFiles.EnsureRegular(metadataPath);
        var metadata = ReadMetadata(metadataPath);

        var statePath = Path.Combine(Path.GetDirectoryName(metadataPath)!, metadata.StateFile);
        if (!File.Exists(statePath))
            throw new CheckpointException(CheckpointErrorKind.NotFound, statePath, $"The state file '{statePath}' named by '{metadataPath}' does not exist.");
        CheckpointFiles.EnsureRegular(statePath);

        ParameterLayout layout;
        try
        {
            layout = ParameterLayout.Of(runtime, metadata.Model);
        }
        catch (ArgumentException e)
        {
            throw new CheckpointException(CheckpointErrorKind.UnknownArchitecture, metadataPath, $"'{metadataPath}' describes a model that cannot be built: {e.Message}", e);
        }
        // Reading the contents scans every value (for NaN), so a file far larger than the model's state is refused unscanned.
        var stateBytes = new FileInfo(statePath).Length;
        var largestState = layout.StateEntries.Sum(e => e.ElementCount) * MaxElementBytes + MaxNameAndHeaderBytes;
        if (stateBytes > largestState)
            throw new CheckpointException(CheckpointErrorKind.TooLarge, statePath, $"The state file '{statePath}' is {stateBytes} bytes, but a {metadata.Model.Architecture} state takes at most {largestState}: it is not this model's.");

        IReadOnlyList<StateTensorInfo> contents;
        try
        {
            contents = TorchSharpStateFile.ReadContents(statePath);
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointException(CheckpointErrorKind.Corrupt, statePath, $"The state file '{statePath}' is not a valid TorchSharp state dictionary: {e.Message}", e);
        }
        var difference = layout.FirstDifference(contents);
        if (difference is not null)
            throw new CheckpointException(CheckpointErrorKind.ArchitectureMismatch, statePath, $"The state file '{statePath}' does not match the architecture {metadata.Model.Architecture} named in '{Path.GetFileName(metadataPath)}': {difference}.");

        // After the structure and architecture checks, so a truncated or foreign file says what it is (and a
        // multi-GB one is refused before it is hashed); a well-formed file with other bytes is caught here.
        if (verifyHash)
        {
            var actual = Sha256(statePath);
            if (!string.Equals(actual, metadata.StateSha256, StringComparison.OrdinalIgnoreCase))
                throw new CheckpointException(CheckpointErrorKind.HashMismatch, statePath,
                    $"The state file '{statePath}' has SHA-256 {actual}, but '{Path.GetFileName(metadataPath)}' records {metadata.StateSha256}: it was changed or damaged after it was written. Use -SkipHashCheck to read it anyway.");
        }

        return new CheckpointInfo(statePath, metadataPath, metadata, contents, LayerSummary.From(contents, layout.ParameterNames), layout.ParameterLength);
    }

    /// <summary>Builds the checkpoint's model and loads its weights (in eval mode). The caller disposes it.</summary>
    /// <param name="device">Where the model computes (default: the CPU). Weights are read on the CPU, then moved.</param>
    /// <exception cref="DeviceUnavailableException">No such CUDA device in this process.</exception>
    public static nn.Module LoadModel(LandscapeRuntime runtime, CheckpointInfo checkpoint, ComputeDevice? device = null)
    {
        device ??= ComputeDevice.Cpu;
        var target = device.ToTorchDevice(runtime);
        var model = LoadOnCpu(runtime, checkpoint);
        if (!device.IsCpu) model.to(target);
        return model;
    }

    private static nn.Module LoadOnCpu(LandscapeRuntime runtime, CheckpointInfo checkpoint)
    {
        if (checkpoint.Format == CheckpointFormat.TorchScript) return TorchScriptCheckpoint.Load(runtime, checkpoint.StatePath);
        if (checkpoint.Format is CheckpointFormat.PyTorch or CheckpointFormat.Safetensors) return ForeignStateCheckpoint.LoadModel(runtime, checkpoint);
        if (checkpoint.Format == CheckpointFormat.HuggingFace) return HuggingFaceCheckpoint.LoadModel(runtime, checkpoint);
        var model = ModelZoo.Create(runtime, checkpoint.Metadata.Model);
        model.load(checkpoint.StatePath, strict: true);
        model.eval();
        return model;
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    private static CheckpointMetadata ReadMetadata(string metadataPath)
    {
        CheckpointMetadata? metadata;
        try
        {
            metadata = JsonSerializer.Deserialize<CheckpointMetadata>(File.ReadAllBytes(metadataPath), JsonOptions);
        }
        catch (JsonException e)
        {
            throw new CheckpointException(CheckpointErrorKind.Corrupt, metadataPath, $"The side file '{metadataPath}' is not valid checkpoint JSON: {e.Message}", e);
        }
        if (metadata is null || metadata.Format != CheckpointMetadata.FormatName)
            throw new CheckpointException(CheckpointErrorKind.Corrupt, metadataPath, $"The side file '{metadataPath}' is not a {CheckpointMetadata.FormatName} file.");
        if (metadata.FormatVersion > CheckpointMetadata.CurrentFormatVersion)
            throw new CheckpointException(CheckpointErrorKind.Corrupt, metadataPath, $"The side file '{metadataPath}' has format version {metadata.FormatVersion}; this version of LossLandscape reads up to {CheckpointMetadata.CurrentFormatVersion}.");
        if (string.IsNullOrEmpty(metadata.StateFile) || metadata.StateFile != Path.GetFileName(metadata.StateFile))
            throw new CheckpointException(CheckpointErrorKind.Corrupt, metadataPath, $"The side file '{metadataPath}' names an invalid state file '{metadata.StateFile}'.");
        return metadata;
    }
}
