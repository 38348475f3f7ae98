namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>
/// An allowlisted global as the unpickler sees it: our own C# stand-in for the Python callable,
/// which only builds data (<see cref="PickleAllowlist"/>).
/// </summary>
public sealed record PickleCallable(string Module, string Name, Func<object?[], object?> Invoke)
{
    public string QualifiedName => $"{Module}.{Name}";

    public override string ToString() => QualifiedName;
}
