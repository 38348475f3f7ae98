using LossLandscape.Core.Native;

namespace LossLandscape.Core.Specs;

/// <summary>
/// How a spec is run on one machine: the device and how many points at once with how many threads
/// each. Not part of any file's identity: the tasks of one job may run with other options, and a
/// file started with some options may be finished with others.
/// </summary>
public sealed record RunOptions
{
    public ComputeDevice Device { get; init; } = ComputeDevice.Cpu;

    /// <summary>Grid points evaluated at once, each on its own thread with its own model copy.</summary>
    public int Workers { get; init; } = 1;

    /// <summary>libtorch intra-op threads per point; null: 1 for surfaces, the session's thread count for one analysis.</summary>
    public int? ThreadsPerPoint { get; init; }

    /// <exception cref="SpecException">A count is below 1.</exception>
    public void Validate()
    {
        if (Workers < 1) throw new SpecException(SpecProblem.Argument, $"The worker count must be at least 1 (got {Workers}).");
        if (ThreadsPerPoint < 1) throw new SpecException(SpecProblem.Argument, $"The thread count must be at least 1 (got {ThreadsPerPoint}).");
    }
}
