using LossLandscape.Core.Data;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Tests.Data;

public sealed class SyntheticCifarDataTests
{
    [Fact]
    public void SplitsHaveCifarShapeAndTheirSizes()
    {
        var train = DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, new DatasetReference("syntheticcifar"));
        var test = DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, new DatasetReference("SyntheticCifar", DatasetSplit.Test));
        Assert.Equal((2000, 3, 32, 32, 10), (train.Count, train.Channels, train.Height, train.Width, train.ClassCount));
        Assert.Equal(500, test.Count);
        Assert.Equal(2000 * 3072, train.Inputs.Length);
        Assert.NotEqual(train.Inputs.AsSpan(0, 3072).ToArray(), test.Inputs.AsSpan(0, 3072).ToArray());
    }

    [Fact]
    public void IsTheDocumentedStreamLabelThenInputs()
    {
        var train = SyntheticCifarData.Load(DatasetSplit.Train);
        var normal = new DeterministicNormal(SyntheticCifarData.TrainSeed);
        for (var sample = 0; sample < 2; sample++)
        {
            Assert.Equal((long)(normal.NextUInt64() % 10), train.Labels[sample]);
            for (var i = 0; i < 3072; i++) Assert.Equal((float)normal.Next(), train.Inputs[sample * 3072 + i]);
        }
    }

    [Fact]
    public void IsStandardNormalWithEveryClass()
    {
        var train = SyntheticCifarData.Load(DatasetSplit.Train);
        double sum = 0, sumOfSquares = 0;
        foreach (var value in train.Inputs)
        {
            sum += value;
            sumOfSquares += (double)value * value;
        }
        var mean = sum / train.Inputs.Length;
        var variance = sumOfSquares / train.Inputs.Length - mean * mean;
        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(variance, 0.98, 1.02);
        Assert.Equal(Enumerable.Range(0, 10).Select(label => (long)label), train.Labels.Distinct().Order());
        // Uniform labels: each class near 200 of 2,000 (binomial sd ≈ 13).
        Assert.All(train.Labels.CountBy(label => label), pair => Assert.InRange(pair.Value, 140, 260));
    }

    [Fact]
    public void IsGeneratedOnceAndDeterministic()
    {
        Assert.Same(SyntheticCifarData.Load(DatasetSplit.Test), SyntheticCifarData.Load(DatasetSplit.Test));
        var regenerated = new DeterministicNormal(SyntheticCifarData.TestSeed);
        var again = new DeterministicNormal(SyntheticCifarData.TestSeed);
        for (var i = 0; i < 1000; i++) Assert.Equal(regenerated.Next(), again.Next());
    }

    [Fact]
    public void FirstValuesArePinnedSoAnyChangeToTheGeneratorIsSeen()
    {
        var train = SyntheticCifarData.Load(DatasetSplit.Train);
        Assert.Equal([2L, 9, 8, 6, 7], train.Labels[..5]);
        // Bit patterns recorded from this generator: about −0.5304, 0.1436, −0.7294, 1.6983.
        Assert.Equal([-1090008473, 1041433004, -1086670469, 1071210811], train.Inputs[..4].Select(BitConverter.SingleToInt32Bits));
    }
}
