namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>An unpickled object that accepts the pickle BUILD opcode (Python's <c>__setstate__</c>).</summary>
public interface IPickleBuildable
{
    /// <exception cref="InvalidDataException">The state has an unexpected form.</exception>
    void SetState(object? state);
}
