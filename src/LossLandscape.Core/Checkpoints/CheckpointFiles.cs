using LossLandscape.Core.Common;

namespace LossLandscape.Core.Checkpoints;

/// <summary>Checks made on a checkpoint path before any file is opened.</summary>
public static class CheckpointFiles
{
    /// <summary>Refuses FIFOs, devices and sockets (following links); see <see cref="RegularFile"/>. A missing file is left to the reader's own error.</summary>
    /// <exception cref="CheckpointException">Of kind <see cref="CheckpointErrorKind.NotRegularFile"/>.</exception>
    public static void EnsureRegular(string path)
    {
        if (!File.Exists(path)) return;
        if (RegularFile.SpecialKind(path) is { } kind)
            throw new CheckpointException(CheckpointErrorKind.NotRegularFile, path, $"'{path}' is {kind}, not a regular file: checkpoints are read only from regular files.");
    }
}
