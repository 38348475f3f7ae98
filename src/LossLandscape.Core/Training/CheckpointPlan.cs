using System.Globalization;
using LossLandscape.Core.Checkpoints;

namespace LossLandscape.Core.Training;

/// <summary>A checkpoint a run writes after <paramref name="Step"/> optimizer steps; <paramref name="Epoch"/> is set where it is named by epoch.</summary>
public sealed record PlannedCheckpoint(long Step, int? Epoch, string Name)
{
    /// <summary>"epoch 3" or "step 300", for messages.</summary>
    public string Label => Epoch is { } epoch ? $"epoch {epoch}" : $"step {Step}";
}

/// <summary>Which checkpoints a run writes, known before it starts, so a rerun can tell how far an earlier one got.</summary>
public static class CheckpointPlan
{
    public static IReadOnlyList<PlannedCheckpoint> For(TrainingOptions options, int batchesPerEpoch)
    {
        if (!options.CheckpointsByStep)
            return Enumerable.Range(0, options.Epochs + 1).Select(epoch => new PlannedCheckpoint((long)epoch * batchesPerEpoch, epoch, CheckpointStore.EpochFileName(epoch))).ToList();

        var last = options.TotalSteps(batchesPerEpoch);
        IEnumerable<long> steps = options.LogCheckpointCount > 0
            ? LogSpacedSteps(last, options.LogCheckpointCount)
            : options.CheckpointEvery > 0
                ? Multiples(options.CheckpointEvery, last).Append(last)
                : [0, last];
        return steps.Distinct().Select(step => new PlannedCheckpoint(step, null, StepFileName(step, last))).ToList();
    }

    /// <summary>
    /// Step 0 and <paramref name="count"/> − 1 steps spaced evenly in log from 1 to <paramref name="lastStep"/>
    /// (lastStep^(i/(count − 2)), rounded half away from zero), with repeats dropped: at most
    /// <paramref name="count"/> steps, dense where a run changes fastest, always 0, 1 and the last.
    /// </summary>
    public static IReadOnlyList<long> LogSpacedSteps(long lastStep, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 3);
        ArgumentOutOfRangeException.ThrowIfLessThan(lastStep, 1);
        var steps = new List<long> { 0 };
        for (var i = 0; i <= count - 2; i++)
        {
            var step = i == count - 2 ? lastStep : (long)Math.Round(Math.Pow(lastStep, i / (double)(count - 2)), MidpointRounding.AwayFromZero);
            if (step > steps[^1]) steps.Add(step);
        }
        return steps;
    }

    /// <summary>"step-000300": zero-padded to the widest step of the run (at least 6 digits), so the files sort by step.</summary>
    public static string StepFileName(long step, long lastStep)
    {
        var width = Math.Max(6, lastStep.ToString(CultureInfo.InvariantCulture).Length);
        return "step-" + step.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');
    }

    private static IEnumerable<long> Multiples(long every, long last)
    {
        for (var step = 0L; step < last; step += every) yield return step;
    }
}
