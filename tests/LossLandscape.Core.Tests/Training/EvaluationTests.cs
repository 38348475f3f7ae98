using LossLandscape.Core.Data;
using LossLandscape.Core.Native;
using LossLandscape.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Training;

public sealed class EvaluationTests
{
    public EvaluationTests() => LandscapeRuntime.Load();

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(250)]
    public void ZeroLogitsGiveLnTenAndTheShareOfClassZero(int batchSize)
    {
        using var data = DatasetCatalog.Load(LandscapeRuntime.Load(), new DatasetReference("Digits", DatasetSplit.Test));
        using var model = LandscapeRuntime.Load().WithGlobalGenerator(null, () => nn.Sequential(nn.Flatten(), nn.Linear(64, 10)));
        using (no_grad())
        {
            foreach (var parameter in model.parameters()) parameter.zero_();
        }

        var (loss, accuracy) = Evaluation.Evaluate(model, data, batchSize);

        // All logits equal: cross-entropy is ln 10 for every sample; argmax picks class 0.
        Assert.Equal(Math.Log(10), loss, 5);
        var zeros = data.Labels.eq(0).sum().item<long>();
        Assert.Equal(100.0 * zeros / data.Count, accuracy, 10);
    }

    [Fact]
    public void StepScheduleMultipliesAfterEachMilestone()
    {
        var options = new TrainingOptions
        {
            Model = Core.Models.ModelZoo.DefaultSpec("Mlp"),
            Dataset = new DatasetReference("Digits"),
            LearningRate = 0.1,
            LearningRateMilestones = [150, 225, 275],
            LearningRateDecay = 0.1,
        };
        Assert.Equal(0.1, options.LearningRateAt(1), 15);
        Assert.Equal(0.1, options.LearningRateAt(150), 15);
        Assert.Equal(0.01, options.LearningRateAt(151), 15);
        Assert.Equal(0.001, options.LearningRateAt(226), 15);
        Assert.Equal(0.0001, options.LearningRateAt(300), 15);
    }
}
