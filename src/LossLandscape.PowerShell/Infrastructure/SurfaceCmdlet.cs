using System.Management.Automation;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Curvature;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Specs;
using LossLandscape.Core.Surfaces;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Infrastructure;

/// <summary>
/// Base of the cmdlets that compute a surface (Get-LossSurface, Start-LossSurfaceJob): the
/// directions, grid and metric are declared here once and bound, with the evaluation parameters,
/// into one <see cref="SurfaceSpec"/>.
/// </summary>
public abstract class SurfaceCmdlet : EvaluationCmdlet
{
    /// <summary>One (1D) or two (2D) directions; made on the fly from -Seed/-Normalization when omitted.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Rehydrate(typeof(LandscapeDirection))]
    public LandscapeDirection[]? Direction { get; set; }

    [Parameter]
    [ValidateRange(1, 2)]
    public int? Dimensions { get; set; }

    /// <summary>Seed of the random directions made when -Direction is not given.</summary>
    [Parameter]
    public long Seed { get; set; } = DirectionRecipe.DefaultSeed;

    /// <summary>Direction draws: the line or plane is computed along the random directions of seeds Seed, Seed + 1, … Seed + K − 1.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int DirectionCount { get; set; } = 1;

    [Parameter]
    // Unknown describes directions read from files made elsewhere; it is no way to make one.
    [ValidateSet(nameof(DirectionNormalization.Filter), nameof(DirectionNormalization.Head), nameof(DirectionNormalization.Layer), nameof(DirectionNormalization.Weight), nameof(DirectionNormalization.None))]
    public DirectionNormalization Normalization { get; set; } = DirectionNormalization.Filter;

    [Parameter]
    public SwitchParameter Orthogonalize { get; set; }

    /// <summary>Points per axis (both axes unless -XSteps/-YSteps say otherwise).</summary>
    [Parameter]
    [ValidateRange(2, 10_001)]
    public int Steps { get; set; } = 51;

    /// <summary>Coordinate range of both axes: two numbers, default -1, 1.</summary>
    [Parameter]
    [ValidateCount(2, 2)]
    public double[] Range { get; set; } = [-1, 1];

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateCount(2, 2)]
    public double[]? XRange { get; set; }

    [Parameter]
    [ValidateRange(2, 10_001)]
    public int? XSteps { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateCount(2, 2)]
    public double[]? YRange { get; set; }

    [Parameter]
    [ValidateRange(2, 10_001)]
    public int? YSteps { get; set; }

    /// <summary>Loss (default) or Curvature: λmax, λmin and |λmin/λmax| of the Hessian at each point (use a coarse grid: each point costs tens of Hessian-vector products).</summary>
    [Parameter]
    public SurfaceMetric Metric { get; set; } = SurfaceMetric.Loss;

    /// <summary>-Metric Curvature: Lanczos relative tolerance (default 1e-2, the paper code's eigsh tolerance).</summary>
    [Parameter]
    [Alias("Tolerance")]
    [ValidateRange(1e-12, 0.5)]
    public double LanczosTolerance { get; set; } = CurvatureMetric.PaperTolerance;

    /// <summary>
    /// -Range typed on the command line while -XRange/-YRange were not, recorded in BeginProcessing,
    /// before any input binds: a piped PCA plane binds its own XRange/YRange by property name, which
    /// would otherwise win over the -Range the user asked for.
    /// </summary>
    private (bool X, bool Y) rangeOverridesInput;

    protected override void BeginProcessing()
    {
        var typed = MyInvocation.BoundParameters;
        if (typed.ContainsKey(nameof(Range)))
            rangeOverridesInput = (!typed.ContainsKey(nameof(XRange)), !typed.ContainsKey(nameof(YRange)));
        base.BeginProcessing();
    }

    /// <summary>The α range: -XRange, else -Range when typed, else the piped XRange, else a curve plane's points with margins, else the default -Range.</summary>
    protected double[] EffectiveXRange => rangeOverridesInput.X ? Range : XRange ?? PlaneRange?.X ?? Range;

    /// <summary>The β range, as <see cref="EffectiveXRange"/>.</summary>
    protected double[] EffectiveYRange => rangeOverridesInput.Y ? Range : YRange ?? PlaneRange?.Y ?? Range;

    /// <summary>
    /// Around the three points of a curve plane given as -Direction (x then y): its unit axes put θ_B at
    /// ‖θ_B − θ*‖, far outside the default [-1, 1], so an unspecified range is taken from the points.
    /// </summary>
    private (double[] X, double[] Y)? PlaneRange =>
        Direction is [{ Kind: DirectionKind.CurvePlane, Plane: { } plane, Axis: "x" }, { Kind: DirectionKind.CurvePlane, Axis: "y" }] && !MyInvocation.BoundParameters.ContainsKey(nameof(Range))
            ? plane.Range()
            : null;

    /// <summary>1 for one direction, else 2, unless -Dimensions says otherwise.</summary>
    protected int SurfaceDimensions => Dimensions ?? (Direction is { Length: 1 } ? 1 : 2);

    /// <summary>Checks of the input that need no model, made before anything is read; null when it may be computed.</summary>
    protected ErrorRecord? FirstInputProblem() =>
        SurfaceInputCheck.FirstProblem(Checkpoint, Direction, EffectiveXRange, SurfaceDimensions == 2 ? EffectiveYRange : null);

    /// <summary>The surface these parameters describe, over the whole grid.</summary>
    /// <exception cref="SpecException">The parameters contradict each other or the checkpoint.</exception>
    protected SurfaceSpec BindSurface(CheckpointInfo checkpoint)
    {
        var dimensions = SurfaceDimensions;
        var evaluation = BindEvaluation(checkpoint);
        var random = new DirectionRecipe { Seed = Seed, Normalization = Normalization, IgnoreBiasAndNorm = IgnoreBiasAndNorm, Parameters = evaluation.Parameters, CheckpointSha256 = checkpoint.Metadata.StateSha256 };
        var given = (Direction ?? []).Select(d => d.Source).ToArray();
        if (DirectionCount > 1 && given.Length > 0)
            throw new SpecException(SpecProblem.DirectionCount, $"-DirectionCount {DirectionCount} draws the directions of seeds -Seed + k itself; it does not vary directions given with -Direction. Leave out -Direction (and set -Seed, -Normalization), or leave out -DirectionCount.") { Value = DirectionCount };
        var xRange = EffectiveXRange;
        var yRange = EffectiveYRange;
        var spec = new SurfaceSpec
        {
            Evaluation = evaluation,
            Directions = DirectionSource.ForSurface(given, dimensions, random, Orthogonalize),
            Grid = new SurfaceGrid(
                SurfaceGrid.Linspace(xRange[0], xRange[1], XSteps ?? Steps),
                dimensions == 2 ? SurfaceGrid.Linspace(yRange[0], yRange[1], YSteps ?? Steps) : null),
            DirectionCount = DirectionCount,
            Metric = Metric,
            LanczosTolerance = LanczosTolerance,
        };
        spec.Validate();
        return spec;
    }
}
