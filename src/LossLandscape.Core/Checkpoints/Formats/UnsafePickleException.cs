namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>
/// A pickle named a global (a module attribute: a function or class) outside the allowlist of
/// tensor and container types. Loading it with Python's pickle would import and call it, which
/// is how a checkpoint runs arbitrary code; LossLandscape refuses the file instead.
/// </summary>
/// <remarks>
/// Not an <see cref="InvalidDataException"/> (that class is sealed): callers that turn bad files
/// into user errors catch both.
/// </remarks>
public sealed class UnsafePickleException : Exception
{
    public UnsafePickleException(string module, string name, long offset)
        : base($"The pickle refers to '{module}.{name}' (at byte {offset}), which is not on the allowlist of tensor and container types; " +
               "a checkpoint is never allowed to import or run code. If the file holds a whole pickled model (torch.save(model)), " +
               "re-save it with torch.save(model.state_dict(), path).")
    {
        Module = module;
        Name = name;
    }

    public string Module { get; }

    public string Name { get; }
}
