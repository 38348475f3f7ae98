using System.Management.Automation;
using LossLandscape.Core.Surfaces;

namespace LossLandscape.PowerShell.Infrastructure;

/// <summary>The error record of a merge of shard files that cannot be made (Merge-LossSurface and a job's merge task).</summary>
internal static class MergeErrors
{
    public static ErrorRecord Record(SurfaceMergeException problem, IReadOnlyList<string> files)
    {
        var (errorId, category, target) = problem.Problem switch
        {
            SurfaceMergeProblem.Disagree => (ErrorIds.SurfaceShardsDisagree, ErrorCategory.InvalidData, (object)problem.Paths[0]),
            SurfaceMergeProblem.Overlap => (ErrorIds.SurfaceShardsOverlap, ErrorCategory.InvalidData, problem.Paths[1]),
            _ => (ErrorIds.SurfaceShardsIncomplete, ErrorCategory.ObjectNotFound, files),
        };
        return new ErrorRecord(problem, errorId, category, target);
    }
}
