namespace LossLandscape.Core.Checkpoints;

/// <summary>Reads a checkpoint of any supported format, choosing the reader from the file itself.</summary>
public static class CheckpointImporter
{
    /// <exception cref="CheckpointException">With the <see cref="CheckpointErrorKind"/> of the first problem.</exception>
    public static CheckpointInfo Read(string path)
    {
        var fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath) || !File.Exists(fullPath)) return CheckpointStore.Read(fullPath);
        var extension = Path.GetExtension(fullPath).ToLowerInvariant();
        if (extension is CheckpointStore.StateExtension or CheckpointStore.MetadataExtension) return CheckpointStore.Read(fullPath);
        if (TorchScriptCheckpoint.IsTorchScript(fullPath)) return TorchScriptCheckpoint.Read(fullPath);
        throw new CheckpointException(CheckpointErrorKind.Corrupt, fullPath, $"'{fullPath}' is not a checkpoint format LossLandscape reads (ours: .dat + .json; TorchScript).");
    }
}
