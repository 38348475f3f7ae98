using LossLandscape.Core.Data;
using LossLandscape.Core.Tests.Connectivity;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.Training;

namespace LossLandscape.Core.Tests.Training;

/// <summary>The data check runs before any model is made or file written: a mismatch leaves the output folder absent.</summary>
public sealed class TrainerDataCheckTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "ll-datacheck-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    private ArgumentException Refusal(ModelSpec model, DatasetReference dataset) =>
        Assert.Throws<ArgumentException>(() => Trainer.Run(LandscapeRuntime.Load(), new TrainingOptions { Model = model, Dataset = dataset, Epochs = 1 }, folder, new SilentTrainingObserver()));

    private static ModelSpec Gpt(int vocabulary, int contextLength) =>
        new() { Architecture = "Gpt", ClassCount = vocabulary, LayerCount = 1, HeadCount = 1, EmbeddingWidth = 8, ContextLength = contextLength, InputChannels = 0, InputHeight = 0, InputWidth = 0 };

    private static DatasetReference Modular(int p) => new(ModularArithmeticData.Name) { Tokens = TokenOptions.ModularArithmeticDefaults with { Modulus = p } };

    [Fact]
    public void AnImageModelRefusesTokenData()
    {
        Assert.Contains("token sequences of length 4", Refusal(ModelZoo.DefaultSpec("Mlp"), Modular(5)).Message);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void GptRefusesImageData()
    {
        Assert.Contains("reads token sequences, but the data set holds 1×8×8 images", Refusal(Gpt(10, 4), new DatasetReference("Digits")).Message);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void GptNeedsTheDataVocabularyAndContext()
    {
        // p = 5: vocabulary 5 + 5 = 10, sequences of 4 tokens.
        Assert.Contains("vocabulary of 11 tokens but the data set has 10", Refusal(Gpt(11, 4), Modular(5)).Message);
        Assert.Contains("4 tokens but the model reads at most 3", Refusal(Gpt(10, 3), Modular(5)).Message);
        Assert.False(Directory.Exists(folder));
    }
}
