using LossLandscape.Core.Models;

namespace LossLandscape.Core.Checkpoints;

/// <summary>Reads a checkpoint of any supported format, choosing the reader from the file itself.</summary>
public static class CheckpointImporter
{
    /// <param name="architecture">The zoo model a PyTorch or safetensors state dictionary belongs to; ignored for files that name their own.</param>
    /// <exception cref="CheckpointException">With the <see cref="CheckpointErrorKind"/> of the first problem.</exception>
    public static CheckpointInfo Read(string path, ModelSpec? architecture = null)
    {
        var fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath) || !File.Exists(fullPath)) return CheckpointStore.Read(fullPath);
        var extension = Path.GetExtension(fullPath).ToLowerInvariant();
        if (extension is CheckpointStore.StateExtension or CheckpointStore.MetadataExtension) return CheckpointStore.Read(fullPath);
        if (TorchScriptCheckpoint.IsTorchScript(fullPath)) return TorchScriptCheckpoint.Read(fullPath);
        return ForeignStateCheckpoint.Read(fullPath, architecture);
    }
}
