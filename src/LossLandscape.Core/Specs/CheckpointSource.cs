using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Specs;

/// <summary>
/// Which checkpoint a spec evaluates: its file, the SHA-256 of its state (its identity), and the zoo
/// architecture a PyTorch or safetensors state dictionary belongs to (such files do not name one).
/// </summary>
public sealed record CheckpointSource(string Path, string StateSha256, ModelSpec? Architecture = null)
{
    public static CheckpointSource Of(CheckpointInfo checkpoint) => new(
        checkpoint.StatePath,
        checkpoint.Metadata.StateSha256,
        checkpoint.Format is CheckpointFormat.PyTorch or CheckpointFormat.Safetensors ? checkpoint.Metadata.Model : null);

    /// <summary>Reads and validates the checkpoint, and checks that it is still the one the spec was made for.</summary>
    /// <exception cref="CheckpointException">The file is missing or invalid.</exception>
    /// <exception cref="SpecException">The file now holds another state.</exception>
    public CheckpointInfo Read(LandscapeRuntime runtime)
    {
        var checkpoint = CheckpointImporter.Read(runtime, Path, Architecture);
        CheckIs(checkpoint);
        return checkpoint;
    }

    /// <exception cref="SpecException"><paramref name="checkpoint"/> is not this checkpoint.</exception>
    public void CheckIs(CheckpointInfo checkpoint)
    {
        if (!string.Equals(checkpoint.Metadata.StateSha256, StateSha256, StringComparison.OrdinalIgnoreCase))
            throw new SpecException(SpecProblem.Checkpoint, $"'{Path}' changed since the spec was made: its state's SHA-256 is {checkpoint.Metadata.StateSha256}, the spec names {StateSha256}.");
    }
}
