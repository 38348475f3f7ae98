using System.Management.Automation;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Specs;
using LossLandscape.Core.Training;
using LossLandscape.PowerShell.Completers;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Infrastructure;

/// <summary>
/// Base of every cmdlet that evaluates a checkpoint on data (Get-LossSurface, Start-LossSurfaceJob,
/// Get-HessianSpectrum): the evaluation parameters are declared here once and bound into one
/// <see cref="EvaluationSpec"/>, so they mean the same everywhere.
/// </summary>
public abstract class EvaluationCmdlet : ComputeCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Rehydrate(typeof(Checkpoint))]
    public Checkpoint Checkpoint { get; set; } = null!;

    /// <summary>Data set to evaluate on; by default the one named in the checkpoint.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(DatasetCompleter))]
    [DatasetTransformation]
    public LandscapeDataset? Dataset { get; set; }

    [Parameter]
    public EvaluationSplit Split { get; set; } = EvaluationSplit.Train;

    /// <summary>Evaluate a seeded subset of this many samples (-SubsetSeed); without it, the data set exactly as given or as the checkpoint names it, subset included.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? MaxSamples { get; set; }

    /// <summary>Seed of the -MaxSamples subset.</summary>
    [Parameter]
    public long SubsetSeed { get; set; }

    [Parameter]
    public LossFunction LossFunction { get; set; } = LossFunction.CrossEntropy;

    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int BatchSize { get; set; } = Evaluation.DefaultBatchSize;

    /// <summary>Leave biases and BatchNorm parameters out (default): random directions are zero there, and Hessians are over the weights only, as the paper's code does.</summary>
    [Parameter]
    public SwitchParameter IgnoreBiasAndNorm { get; set; } = true;

    /// <summary>
    /// Perturb and differentiate only the parameters these names or wildcards (<c>conv1.*</c>, <c>*.weight</c>) match;
    /// the rest stay at θ*. A pattern that matches no parameter is an error.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Parameter { get; set; }

    /// <summary>
    /// Fold each BatchNorm into the convolution before it for forward-only evaluation (zoo models, loss):
    /// faster; the values equal the unfolded ones up to float rounding (about 1e-7 relative) and files
    /// record that they were folded.
    /// </summary>
    [Parameter]
    public SwitchParameter FoldBatchNorm { get; set; }

    /// <summary>
    /// Which statistics BatchNorm normalizes with at each evaluated point: Running (θ*'s, eval mode; the
    /// default), Interpolate (moved with a -Target direction that carries them), Reset (recomputed at each
    /// point as torch.optim.swa_utils.update_bn does) or Batch (each batch's own, training mode).
    /// </summary>
    [Parameter]
    public BatchNormStatistics? BatchNormStatistics { get; set; }

    /// <summary>With -BatchNormStatistics Reset: recompute from the first k training batches (of -BatchSize) instead of all.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? BatchNormResetBatches { get; set; }

    /// <summary>Evaluate even around a checkpoint holding NaN or infinite values.</summary>
    [Parameter]
    public SwitchParameter AllowNonFinite { get; set; }

    /// <summary>libtorch threads per evaluation (surfaces: per point, default 1; one analysis: default the session's count). A different count may change the last bits of the values.</summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int? ThreadCount { get; set; }

    /// <exception cref="SpecException">The checkpoint names no data set and -Dataset is not given.</exception>
    protected EvaluationSpec BindEvaluation(CheckpointInfo checkpoint) => new()
    {
        Checkpoint = CheckpointSource.Of(checkpoint),
        Data = EvaluationSpec.DataFor(checkpoint, Dataset?.Reference, MaxSamples, SubsetSeed),
        Split = Split,
        LossFunction = LossFunction,
        BatchSize = BatchSize,
        IgnoreBiasAndNorm = IgnoreBiasAndNorm,
        Parameters = Parameter is null ? null : new ParameterSubset(Parameter),
        FoldBatchNorm = FoldBatchNorm,
        BatchNormStatistics = BatchNormStatistics,
        BatchNormResetBatches = BatchNormResetBatches,
        AllowNonFinite = AllowNonFinite,
    };

    /// <summary>The error record of a spec problem: its own id where it has one, else <paramref name="errorId"/>.</summary>
    protected static ErrorRecord SpecError(SpecException problem, string errorId, object? target) => (problem.Problem, problem.Value ?? target) switch
    {
        (SpecProblem.Shard, var value) => new ErrorRecord(problem, ErrorIds.SurfaceShardInvalid, ErrorCategory.InvalidArgument, value),
        (SpecProblem.NonFinite, var value) => new ErrorRecord(problem, ErrorIds.CheckpointNonFinite, ErrorCategory.InvalidData, value),
        (SpecProblem.JobArgument, var value) => new ErrorRecord(problem, ErrorIds.SurfaceJobArgumentInvalid, ErrorCategory.InvalidArgument, value),
        (SpecProblem.Parameter, var value) => new ErrorRecord(problem, ErrorIds.ParameterNotMatched, ErrorCategory.InvalidArgument, value),
        (SpecProblem.DirectionCount, var value) => new ErrorRecord(problem, ErrorIds.DirectionCountInvalid, ErrorCategory.InvalidArgument, value),
        (_, var value) => new ErrorRecord(problem, errorId, ErrorCategory.InvalidArgument, value),
    };
}
