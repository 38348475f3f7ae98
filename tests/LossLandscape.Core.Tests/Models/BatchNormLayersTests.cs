using System.Text.Json;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.Tests.Formats;
using LossLandscape.Core.Training;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Models;

/// <summary>
/// -BatchNormStatistics Reset and Batch against PyTorch itself (Fixtures/BatchNorm/make_batchnorm_reference.py,
/// output committed): torch.optim.swa_utils.update_bn and training-mode evaluation of the fixture
/// DigitsCnn on 64 digits in batches of 16, at θ* and at a point away from it.
/// </summary>
public sealed class BatchNormLayersTests
{
    private const double Tolerance = 1e-6;
    private static readonly JsonElement Reference = Load();

    private static JsonElement Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "BatchNorm", "batchnorm_reference.json")));
        return document.RootElement.Clone();
    }

    private static int BatchSize => Reference.GetProperty("batch_size").GetInt32();

    public static TheoryData<double, int?> ResetCases() => new() { { 0.0, null }, { 0.0, 2 }, { 0.5, null }, { 0.5, 2 } };

    private static JsonElement Case(double shift, string mode, int? resetBatches = null) => Reference.GetProperty("cases").EnumerateArray().Single(c =>
        c.GetProperty("shift").GetDouble() == shift && c.GetProperty("mode").GetString() == mode
        && (mode != "Reset" || (c.GetProperty("reset_batches").ValueKind == JsonValueKind.Null ? null : c.GetProperty("reset_batches").GetInt32()) == resetBatches));

    /// <summary>The fixture model at θ* with every convolution weight w moved to w + shift·sin(i), as the generator moves it.</summary>
    private static (nn.Module Model, PreloadedDataset Data) Fixture(double shift)
    {
        var runtime = LandscapeRuntime.Load();
        var pixels = Reference.GetProperty("pixels").EnumerateArray().SelectMany(row => row.EnumerateArray().Select(v => v.GetInt32() / 16f)).ToArray();
        var labels = Reference.GetProperty("labels").EnumerateArray().Select(v => (long)v.GetInt32()).ToArray();
        var data = new PreloadedDataset(runtime, new DatasetReference("Digits", DatasetSplit.Train), new DatasetArrays(pixels, labels, 1, 8, 8, 10));
        var checkpoint = CheckpointImporter.Read(runtime, FormatFixtures.PathOf("digits_plain.pt"), ModelZoo.DefaultSpec("DigitsCnn"));
        var model = CheckpointStore.LoadModel(runtime, checkpoint);
        using (no_grad())
        {
            foreach (var (name, parameter) in model.named_parameters().Where(p => p.name.StartsWith("conv", StringComparison.Ordinal)))
            {
                using var scope = NewDisposeScope();
                parameter.add_(arange(parameter.numel(), dtype: ScalarType.Float32).sin().mul(shift).reshape(parameter.shape));
            }
        }
        return (model, data);
    }

    [Theory]
    [MemberData(nameof(ResetCases))]
    public void ResetEqualsUpdateBnInStatisticsAndLoss(double shift, int? resetBatches)
    {
        var reference = Case(shift, "Reset", resetBatches);
        var (model, data) = Fixture(shift);
        using var modelScope = model;
        using var dataScope = data;

        BatchNormLayers.Recompute(model, data, BatchSize, resetBatches);
        var (loss, accuracy) = Evaluation.Evaluate(model, data, BatchSize);

        var layers = BatchNormLayers.Of(model);
        var expected = reference.GetProperty("statistics").EnumerateArray().ToArray();
        Assert.Equal(expected.Length, layers.Length);
        for (var i = 0; i < layers.Length; i++)
        {
            AssertClose(expected[i].GetProperty("mean"), layers[i].running_mean!);
            AssertClose(expected[i].GetProperty("var"), layers[i].running_var!);
        }
        Assert.Equal(reference.GetProperty("loss").GetDouble(), loss, Tolerance * loss);
        Assert.Equal(reference.GetProperty("accuracy").GetDouble(), accuracy);
        Assert.False(model.training);
        Assert.All(layers, l => Assert.Equal(0.1, l.momentum));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    public void BatchStatisticsEqualTrainingModeAndLeaveTheRunningStatisticsAsTheyWere(double shift)
    {
        var (model, data) = Fixture(shift);
        using var modelScope = model;
        using var dataScope = data;
        var before = BatchNormLayers.Of(model).Select(l => (l.running_mean!.data<float>().ToArray(), l.running_var!.data<float>().ToArray(), l.num_batches_tracked!.item<long>())).ToArray();

        var (loss, accuracy) = Evaluation.Evaluate(model, data, BatchSize, batchStatistics: true);
        var (runningLoss, runningAccuracy) = Evaluation.Evaluate(model, data, BatchSize);

        var batch = Case(shift, "Batch");
        var running = Case(shift, "Running");
        Assert.Equal(batch.GetProperty("loss").GetDouble(), loss, Tolerance * loss);
        Assert.Equal(batch.GetProperty("accuracy").GetDouble(), accuracy);
        Assert.Equal(running.GetProperty("loss").GetDouble(), runningLoss, Tolerance * runningLoss);
        Assert.Equal(running.GetProperty("accuracy").GetDouble(), runningAccuracy);
        Assert.NotEqual(loss, runningLoss, 1e-3);
        var after = BatchNormLayers.Of(model).Select(l => (l.running_mean!.data<float>().ToArray(), l.running_var!.data<float>().ToArray(), l.num_batches_tracked!.item<long>())).ToArray();
        for (var i = 0; i < before.Length; i++)
        {
            Assert.Equal(before[i].Item1, after[i].Item1);
            Assert.Equal(before[i].Item2, after[i].Item2);
            Assert.Equal(before[i].Item3, after[i].Item3);
        }
    }

    private static void AssertClose(JsonElement expected, Tensor actual)
    {
        var values = actual.data<float>().ToArray();
        var reference = expected.EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(reference.Length, values.Length);
        for (var i = 0; i < values.Length; i++) Assert.True(Math.Abs(values[i] - reference[i]) <= Tolerance * Math.Max(1, Math.Abs(reference[i])), $"entry {i}: {values[i]} vs {reference[i]}");
    }

    [Fact]
    public void FilesThatNamedRunningEvalReadAsRunningAndCompareEqual()
    {
        var recipe = new DirectionRecipe { Kind = DirectionKind.Target, CheckpointSha256 = "a", TargetSha256 = "b" };
        var json = JsonSerializer.Serialize(recipe, CheckpointStore.JsonOptions);
        Assert.DoesNotContain("batchNormStatistics", json);
        var legacy = json.TrimEnd().TrimEnd('}') + ",\n  \"batchNormStatistics\": \"Eval\"\n}";
        Assert.Equal(recipe, JsonSerializer.Deserialize<DirectionRecipe>(legacy, CheckpointStore.JsonOptions));
        var reset = JsonSerializer.Serialize(recipe with { BatchNormStatistics = BatchNormStatistics.Interpolate }, CheckpointStore.JsonOptions);
        Assert.Contains("\"batchNormStatistics\": \"Interpolate\"", reset);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<DirectionRecipe>(legacy.Replace("\"Eval\"", "\"1\""), CheckpointStore.JsonOptions));
        Assert.Equal(BatchNormStatistics.Running, BatchNormStatisticsJsonConverter.Parse("eval"));
        Assert.Throws<ArgumentException>(() => BatchNormStatisticsJsonConverter.Parse("Train"));
    }
}
