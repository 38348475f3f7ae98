using LossLandscape.Core.Data;
using LossLandscape.Core.Models;
using LossLandscape.Core.Training;

namespace LossLandscape.Core.Tests.Training;

/// <summary>The learning rate of a step, against its closed form, and the log-spaced checkpoint steps against hand-listed ones.</summary>
public sealed class LearningRateScheduleTests
{
    private static readonly TrainingOptions Base = new()
    {
        Model = ModelZoo.DefaultSpec("Mlp"),
        Dataset = new DatasetReference("Digits"),
        LearningRate = 1e-3,
    };

    [Fact]
    public void CosineAfterALinearWarmupEqualsItsClosedForm()
    {
        // 10 warm-up steps, then 100 steps from 1e-3 down to 1e-5.
        var options = Base with { Steps = 110, WarmupSteps = 10, Schedule = LearningRateSchedule.Cosine, MinimumLearningRate = 1e-5 };

        Assert.Equal(1e-4, options.LearningRateAtStep(1, batchesPerEpoch: 7), 15);
        Assert.Equal(5e-4, options.LearningRateAtStep(5, 7), 15);
        Assert.Equal(1e-3, options.LearningRateAtStep(10, 7), 15);
        // A quarter of the way (step 35): cos(π/4) = √½.
        Assert.Equal(1e-5 + 0.99e-3 * 0.5 * (1 + Math.Sqrt(0.5)), options.LearningRateAtStep(35, 7), 15);
        Assert.Equal(1e-5 + 0.99e-3 * 0.5, options.LearningRateAtStep(60, 7), 15);
        Assert.Equal(1e-5 + 0.99e-3 * 0.5 * (1 - Math.Sqrt(0.5)), options.LearningRateAtStep(85, 7), 15);
        Assert.Equal(1e-5, options.LearningRateAtStep(110, 7), 15);
    }

    [Fact]
    public void ACosineEpochRunSpansItsEpochsSteps()
    {
        // 4 epochs of 5 batches: 20 steps, no warm-up, down to 0.
        var options = Base with { Epochs = 4, Schedule = LearningRateSchedule.Cosine };

        Assert.Equal(1e-3 * 0.5 * (1 + Math.Cos(Math.PI / 20)), options.LearningRateAtStep(1, 5), 15);
        Assert.Equal(0.5e-3, options.LearningRateAtStep(10, 5), 15);
        Assert.Equal(0, options.LearningRateAtStep(20, 5), 15);
    }

    [Fact]
    public void WarmupScalesTheConstantAndTheStepSchedules()
    {
        var constant = Base with { Schedule = LearningRateSchedule.Constant, WarmupSteps = 10 };
        Assert.Equal(0.3e-3, constant.LearningRateAtStep(3, 5), 15);
        Assert.Equal(1e-3, constant.LearningRateAtStep(11, 5), 15);
        Assert.Equal(1e-3, constant.LearningRateAtStep(5000, 5), 15);

        // 5 batches per epoch; ×0.1 after epoch 2 (steps 11 on), the warm-up on top in its first 3 steps.
        var step = Base with { LearningRateMilestones = [2], WarmupSteps = 3 };
        Assert.Equal(1e-3 / 3, step.LearningRateAtStep(1, 5), 15);
        Assert.Equal(2e-3 / 3, step.LearningRateAtStep(2, 5), 15);
        Assert.Equal(1e-3, step.LearningRateAtStep(10, 5), 15);
        Assert.Equal(1e-4, step.LearningRateAtStep(11, 5), 15);
    }

    [Fact]
    public void WithoutWarmupAnEpochRunsStepsUseTheirEpochsRate()
    {
        var options = Base with { LearningRate = 0.1, LearningRateMilestones = [150, 225, 275] };

        foreach (var (step, epoch) in new[] { (1L, 1), (150L * 3, 150), (150L * 3 + 1, 151), (225L * 3 + 2, 226), (300L * 3, 300) })
            Assert.Equal(options.LearningRateAt(epoch), options.LearningRateAtStep(step, 3));
    }

    [Fact]
    public void LogSpacedStepsAreTheRoundedPowersWithRepeatsDropped()
    {
        Assert.Equal([0, 1, 2, 4, 8, 16, 32, 63, 126, 251, 501, 1000], CheckpointPlan.LogSpacedSteps(1000, 12));
        // 10^(i/6) = 1, 1.47, 2.15, 3.16, 4.64, 6.81, 10: the second 1 is dropped.
        Assert.Equal([0, 1, 2, 3, 5, 7, 10], CheckpointPlan.LogSpacedSteps(10, 8));
        Assert.Equal([0, 1, 7], CheckpointPlan.LogSpacedSteps(7, 3));
    }

    [Fact]
    public void StepCheckpointsAreZeroPaddedToSortAndEpochRunsKeepTheirNames()
    {
        Assert.Equal("step-000300", CheckpointPlan.StepFileName(300, 5000));
        Assert.Equal("step-0000300", CheckpointPlan.StepFileName(300, 1_000_000));

        var every = CheckpointPlan.For(Base with { Steps = 23, CheckpointEvery = 7 }, batchesPerEpoch: 5);
        Assert.Equal([0, 7, 14, 21, 23], every.Select(c => c.Step));
        Assert.All(every, c => Assert.Null(c.Epoch));
        // CheckpointEvery over an epoch run: 3 epochs of 5 batches, 15 steps.
        Assert.Equal([0, 10, 15], CheckpointPlan.For(Base with { Epochs = 3, CheckpointEvery = 10 }, 5).Select(c => c.Step));
        Assert.Equal([0, 12], CheckpointPlan.For(Base with { Steps = 12 }, 5).Select(c => c.Step));

        var epochs = CheckpointPlan.For(Base with { Epochs = 2 }, 5);
        Assert.Equal(["epoch-000", "epoch-001", "epoch-002"], epochs.Select(c => c.Name));
        Assert.Equal([0, 5, 10], epochs.Select(c => c.Step));
    }

    [Fact]
    public void TheEarlyStopRuleHoldsAtTheSecondOfTwoConsecutiveEvaluations()
    {
        var rule = new EarlyStop(99);
        Assert.Null(rule.FirstStop([10, 99.5, 98, 99, null, 100]));
        Assert.Equal(4, rule.FirstStop([10, 99.5, 98, 99, 100, 100]));
        Assert.Equal(0, new EarlyStop(50, 1).FirstStop([60, 70]));
    }

    [Theory]
    [InlineData("Beta2")]
    [InlineData("Milestones")]
    [InlineData("Minimum")]
    [InlineData("Both")]
    [InlineData("Log")]
    [InlineData("Stop")]
    public void InconsistentOptionsAreRefusedByName(string which)
    {
        var (options, named) = which switch
        {
            "Beta2" => (Base with { Beta2 = 0.98 }, "Beta1 and Beta2 belong to Adam and AdamW"),
            "Milestones" => (Base with { LearningRateMilestones = [3], Schedule = LearningRateSchedule.Cosine }, "milestones belong to the Step schedule"),
            "Minimum" => (Base with { MinimumLearningRate = 1e-5 }, "MinimumLearningRate is the floor of the Cosine schedule"),
            "Both" => (Base with { CheckpointEvery = 5, LogCheckpointCount = 10 }, "not both"),
            "Log" => (Base with { LogCheckpointCount = 2 }, "LogCheckpointCount must be at least 3"),
            _ => (Base with { StopAt = new EarlyStop(120) }, "test accuracy in (0, 100]"),
        };
        Assert.Contains(named, Assert.Throws<ArgumentException>(options.Validate).Message);
    }
}
