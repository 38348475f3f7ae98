namespace LossLandscape.Core.Specs;

/// <summary>What part of a spec is wrong; the module maps each to its error id.</summary>
public enum SpecProblem
{
    /// <summary>An evaluation or grid setting is invalid, or settings contradict each other.</summary>
    Argument,

    /// <summary>The data cannot be evaluated by the checkpoint's model, or the checkpoint names none.</summary>
    Data,

    /// <summary>The directions cannot be resolved for the checkpoint, or do not fit the grid.</summary>
    Direction,

    /// <summary>The shard index or count is invalid.</summary>
    Shard,

    /// <summary>The checkpoint holds NaN or infinite values and the spec does not allow them.</summary>
    NonFinite,

    /// <summary>The checkpoint file is not the one the spec names.</summary>
    Checkpoint,

    /// <summary>A scheduler option of a cluster job is invalid.</summary>
    JobArgument,

    /// <summary>A -Parameter pattern names no parameter of the model, or the subset leaves nothing to perturb.</summary>
    Parameter,

    /// <summary>The number of direction draws is invalid or does not fit the directions.</summary>
    DirectionCount,
}

/// <summary>A spec that cannot be planned; <see cref="Problem"/> says which part is wrong.</summary>
public sealed class SpecException(SpecProblem problem, string message, Exception? inner = null) : ArgumentException(message, inner)
{
    public SpecProblem Problem { get; } = problem;

    /// <summary>The offending value, when one value is at fault.</summary>
    public object? Value { get; init; }
}
