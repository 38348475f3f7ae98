using LossLandscape.Core.Data;
using LossLandscape.Core.Native;
using LossLandscape.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Training;

public sealed class TokenEvaluationTests
{
    private const int Vocabulary = 4;

    // Row k of the table is the logits of token k: the "model" is an embedding, logits[b, t] = W[tokens[b, t]].
    private static readonly float[,] Table =
    {
        { 2.0f, 0.5f, -1.0f, 0.0f },
        { -0.5f, 1.5f, 0.25f, 3.0f },
        { 0.0f, 0.0f, 0.0f, 0.0f },
        { 1.0f, -2.0f, 4.0f, 0.5f },
    };

    // Three sequences of T = 3 with 1, 3 and 0 masked positions, so that weighting batches by sequences would give another mean.
    private static readonly long[] Tokens = [0, 1, 3, 3, 2, 1, 0, 0, 0];
    private static readonly long[] Targets = [-100, 3, -100, 2, 1, 0, -100, -100, -100];

    public TokenEvaluationTests() => LandscapeRuntime.Load();

    /// <summary>The masked mean and the hits computed in float64 straight from the table.</summary>
    private static (double Loss, int Hits, int Masked) ByHand()
    {
        double sum = 0;
        int hits = 0, masked = 0;
        for (var i = 0; i < Tokens.Length; i++)
        {
            if (Targets[i] == -100) continue;
            var row = Enumerable.Range(0, Vocabulary).Select(v => (double)Table[Tokens[i], v]).ToArray();
            var logSumExp = Math.Log(row.Sum(Math.Exp));
            sum += logSumExp - row[Targets[i]];
            hits += Array.IndexOf(row, row.Max()) == Targets[i] ? 1 : 0;
            masked++;
        }
        return (sum / masked, hits, masked);
    }

    [Fact]
    public void TheLossOfRankThreeLogitsIsTheMeanOverMaskedPositions()
    {
        using var scope = NewDisposeScope();
        var table = tensor(Table);
        var logits = table.index_select(0, tensor(Tokens)).reshape(3, 3, Vocabulary);
        var loss = Evaluation.Loss(logits, tensor(Targets).reshape(3, 3), LossFunction.CrossEntropy).item<float>();
        var (expected, _, masked) = ByHand();
        Assert.Equal(4, masked);
        Assert.Equal(expected, loss, 1e-6);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void EvaluateWeighsBatchesByMaskedPositionsAndScoresNextTokens(int batchSize)
    {
        var arrays = DatasetArrays.FromTokens(Tokens, Targets, 3, Vocabulary);
        using var data = new PreloadedDataset(LandscapeRuntime.Load(), new DatasetReference("hand-made"), arrays);
        using var model = nn.Embedding(Vocabulary, Vocabulary);
        using (no_grad()) model.weight!.copy_(tensor(Table));

        var (loss, accuracy) = Evaluation.Evaluate(model, data, batchSize);

        var (expected, hits, masked) = ByHand();
        Assert.Equal(expected, loss, 1e-6);
        // Hand count: token 1 → argmax 3 = target 3 (hit); token 3 → 2 = 2 (hit); token 2 → 0 ≠ 1; token 1 → 3 ≠ 0.
        Assert.Equal(2, hits);
        Assert.Equal(100.0 * hits / masked, accuracy, 12);
    }

    [Fact]
    public void MeanSquaredErrorIsRefusedForTokenData()
    {
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => Evaluation.Loss(zeros(1, 3, Vocabulary), zeros(new long[] { 1, 3 }, ScalarType.Int64), LossFunction.Mse));
        Assert.Contains("token data", error.Message);
    }
}
