using System.Runtime.ExceptionServices;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Native;
using LossLandscape.Core.Sharpness;

namespace LossLandscape.Core.Surfaces;

/// <summary>
/// The curvature δᵀHδ of the loss on the surface's first data split at θ*, along each direction draw
/// of a surface: the measure Get-LandscapeSharpness reports as DirectionCurvature (one Hessian-vector
/// product per batch, in eval mode, over the parameters the directions move), so a draw of seed s
/// gives what Get-LandscapeSharpness -Seed s gives on the same data.
/// </summary>
public static class DirectionCurvature
{
    /// <returns>δᵀHδ along each draw's x direction, and along each y direction (null for a line).</returns>
    public static (double[] X, double[]? Y) Compute(LandscapeRuntime runtime, SurfaceRequest request, DatasetArrays firstSplit, CancellationToken cancellation)
    {
        // On a thread of its own with the points' intra-op thread count, like the surface workers: the
        // count is per thread, and the caller's would change the last bits from one session to another.
        (double[] X, double[]? Y) curvature = default;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                runtime.ApplyThreadCount(request.ThreadsPerPoint);
                curvature = ComputeHere(runtime, request, firstSplit, cancellation);
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        { IsBackground = true, Name = "LossLandscape curvature" };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return curvature;
    }

    private static (double[] X, double[]? Y) ComputeHere(LandscapeRuntime runtime, SurfaceRequest request, DatasetArrays firstSplit, CancellationToken cancellation)
    {
        using var model = CheckpointStore.LoadModel(runtime, request.Checkpoint, request.Device);
        using var data = new PreloadedDataset(runtime, request.Data[0], firstSplit, channelsLast: false, request.Device);
        var recipe = request.X.Recipe;
        using var objective = new ModelObjective(model, data, request.BatchSize, request.LossFunction, recipe.IgnoreBiasAndNorm, recipe.Parameters);
        using var engine = new SharpnessEngine(objective, cancellation);
        var layout = ParameterLayout.Of(model);
        double Along(DirectionVector direction)
        {
            using var restricted = SharpnessAnalysis.Restrict(direction.Parameters, layout, objective.ParameterNames);
            return engine.Curvature(restricted, SharpnessSpec.DefaultCurvatureStep).Quadratic;
        }
        var draws = request.Draws;
        var x = draws.Select(d => Along(d.X)).ToArray();
        var y = request.Y is null ? null : draws.Select(d => Along(d.Y!)).ToArray();
        return (x, y);
    }
}
