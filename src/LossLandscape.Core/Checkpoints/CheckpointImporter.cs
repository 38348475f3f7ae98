using LossLandscape.Core.Models;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Checkpoints;

/// <summary>Reads a checkpoint of any supported format, choosing the reader from the file itself.</summary>
public static class CheckpointImporter
{
    /// <param name="path">A checkpoint file, or a Hugging Face GPT-2 folder (or its config.json).</param>
    /// <param name="architecture">The zoo model a PyTorch or safetensors state dictionary belongs to; ignored for files that name their own.</param>
    /// <param name="verifyHash">For our .dat+.json checkpoints: refuse a state file whose SHA-256 is not the side file's.</param>
    /// <exception cref="CheckpointException">With the <see cref="CheckpointErrorKind"/> of the first problem.</exception>
    public static CheckpointInfo Read(LandscapeRuntime runtime, string path, ModelSpec? architecture = null, bool verifyHash = true)
    {
        var fullPath = Path.GetFullPath(path);
        if (HuggingFaceCheckpoint.FolderOf(fullPath) is { } folder) return HuggingFaceCheckpoint.Read(folder);
        if (Directory.Exists(fullPath) || !File.Exists(fullPath)) return CheckpointStore.Read(runtime, fullPath, verifyHash);
        CheckpointFiles.EnsureRegular(fullPath);
        var extension = Path.GetExtension(fullPath).ToLowerInvariant();
        if (extension is CheckpointStore.StateExtension or CheckpointStore.MetadataExtension) return CheckpointStore.Read(runtime, fullPath, verifyHash);
        if (TorchScriptCheckpoint.IsTorchScript(fullPath)) return TorchScriptCheckpoint.Read(runtime, fullPath);
        return ForeignStateCheckpoint.Read(runtime, fullPath, architecture ?? SideFileArchitecture(fullPath));
    }

    /// <summary>The architecture named by one of our JSON side files beside a foreign state dict (e.g. after Export-Checkpoint), if any.</summary>
    private static ModelSpec? SideFileArchitecture(string path)
    {
        var sideFile = Path.ChangeExtension(path, CheckpointStore.MetadataExtension);
        if (!File.Exists(sideFile)) return null;
        CheckpointFiles.EnsureRegular(sideFile);
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<CheckpointMetadata>(File.ReadAllBytes(sideFile), CheckpointStore.JsonOptions)?.Model;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
