namespace LossLandscape.Core.Surfaces;

/// <summary>Why surface files cannot be merged into one surface.</summary>
public enum SurfaceMergeProblem
{
    /// <summary>The files were computed with different settings (grid, data, checkpoint, directions...).</summary>
    Disagree,

    /// <summary>Two files hold the same point.</summary>
    Overlap,

    /// <summary>Some points are in no file.</summary>
    Gap,
}

/// <summary>Surface files that do not make one surface; nothing is written.</summary>
public sealed class SurfaceMergeException(SurfaceMergeProblem problem, IReadOnlyList<string> paths, string message)
    : InvalidOperationException(message)
{
    public SurfaceMergeProblem Problem { get; } = problem;

    /// <summary>The files concerned: the one that disagrees with the first, the two that overlap, or all of them for a gap.</summary>
    public IReadOnlyList<string> Paths { get; } = paths;
}
