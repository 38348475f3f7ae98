using System.Management.Automation;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Training;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Infrastructure;

/// <summary>
/// Reports a training run (of a model, or of a curve's bend) as progress, verbose messages and warnings of
/// the cmdlet running it, and emits each checkpoint as it is written or found already done.
/// </summary>
/// <param name="checkpointName">What a checkpoint is called in messages: "Epoch", "Bend of epoch".</param>
/// <param name="lossName">What the running loss is called in the progress line.</param>
internal sealed class CmdletTrainingObserver(Cmdlet cmdlet, string activity, string checkpointName, string lossName) : ITrainingObserver
{
    private readonly ProgressReporter progress = new(cmdlet, activity);

    public void BatchCompleted(TrainingProgress p) =>
        progress.Report($"Epoch {p.Epoch}/{p.Epochs} · batch {p.Batch}/{p.Batches}"
            + (p.Steps > 0 ? $" · step {p.Step}/{p.Steps}" : "")
            + (p.LearningRate is { } rate ? $" · lr {rate:G4}" : "")
            + $" · {lossName} {p.RunningLoss:F4}", p.Fraction);

    public void CheckpointReady(CheckpointInfo checkpoint, bool reused)
    {
        if (reused) cmdlet.WriteVerbose((checkpoint.Metadata.Step is { } step ? $"Step {step}" : $"{checkpointName} {checkpoint.Metadata.Epoch}") + $" already done: {checkpoint.StatePath}");
        cmdlet.WriteObject(new Checkpoint(checkpoint));
    }

    public void Verbose(string message) => cmdlet.WriteVerbose(message);

    public void Warning(string message) => cmdlet.WriteWarning(message);

    public void Complete() => progress.Complete();
}
