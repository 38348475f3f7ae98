using System.Text.Json;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.Sharpness;
using LossLandscape.Core.Tests.Formats;
using TorchSharp;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace LossLandscape.Core.Tests.Sharpness;

/// <summary>
/// Against a second implementation written from the definitions with PyTorch 1.13
/// (Fixtures/Sharpness/make_sharpness_reference.py, output committed): the fixture DigitsCnn
/// (Formats/digits_plain.pt) on the 64 digits stored in the output, in float64, all parameters
/// perturbed, m = 64 (the whole set) and m = 32.
/// </summary>
public sealed class SharpnessReferenceTests(ITestOutputHelper output)
{
    private static readonly JsonElement Reference = Load();

    private static JsonElement Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Sharpness", "sharpness_reference.json")));
        return document.RootElement.Clone();
    }

    public static TheoryData<int, string> Cases() => new() { { 64, "L2" }, { 64, "Linf" }, { 32, "L2" }, { 32, "Linf" } };

    private static JsonElement Case(int batchSize, string norm) =>
        Reference.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("batch_size").GetInt32() == batchSize && c.GetProperty("norm").GetString() == norm);

    private static (nn.Module Model, PreloadedDataset Data) Fixture()
    {
        var runtime = LandscapeRuntime.Load();
        var pixels = Reference.GetProperty("pixels").EnumerateArray().SelectMany(row => row.EnumerateArray().Select(v => v.GetInt32() / 16f)).ToArray();
        var labels = Reference.GetProperty("labels").EnumerateArray().Select(v => (long)v.GetInt32()).ToArray();
        var data = new PreloadedDataset(runtime, new DatasetReference("Digits", DatasetSplit.Train), new DatasetArrays(pixels, labels, 1, 8, 8, 10));
        var checkpoint = CheckpointImporter.Read(runtime, FormatFixtures.PathOf("digits_plain.pt"), ModelZoo.DefaultSpec("DigitsCnn"));
        var model = CheckpointStore.LoadModel(runtime, checkpoint);
        model.to(ScalarType.Float64);
        return (model, data);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void WorstCaseMatchesTheReferenceAndRestartsNeverLoseToIt(int batchSize, string norm)
    {
        var reference = Case(batchSize, norm);
        LandscapeRuntime.Load();
        var (model, data) = Fixture();
        using var modelScope = model;
        using var dataScope = data;
        using var objective = new ModelObjective(model, data, batchSize);
        using var engine = new SharpnessEngine(objective);
        var rho = reference.GetProperty("rho").GetDouble();
        var expected = reference.GetProperty("worst_case").GetDouble();
        var sharpnessNorm = Enum.Parse<SharpnessNorm>(norm);
        var iterations = Reference.GetProperty("iterations").GetInt32();

        var single = engine.WorstCase(rho, sharpnessNorm, new AscentSchedule { Iterations = iterations, Restarts = 1 }, seed: 1).Value;
        var restarted = engine.WorstCase(rho, sharpnessNorm, new AscentSchedule { Iterations = iterations, Restarts = 3 }, seed: 1).Value;

        output.WriteLine($"worst case m = {batchSize} {norm}: ours {single:R}, reference {expected:R}, relative difference {(single - expected) / expected:G3}; with 3 restarts {restarted:R}");
        Assert.True(expected > 0);
        Assert.Equal(expected, single, 1e-4 * expected);
        Assert.True(restarted >= expected * (1 - 1e-3), $"with restarts {restarted}, reference {expected}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AverageCaseIsWithinThreeStandardErrorsOfTheReference(int batchSize, string norm)
    {
        var reference = Case(batchSize, norm);
        LandscapeRuntime.Load();
        var (model, data) = Fixture();
        using var modelScope = model;
        using var dataScope = data;
        using var objective = new ModelObjective(model, data, batchSize);
        using var engine = new SharpnessEngine(objective);

        var ours = engine.Average(reference.GetProperty("rho").GetDouble(), Enum.Parse<SharpnessNorm>(norm), samples: 200, seed: 1);

        var expected = reference.GetProperty("average_case").GetDouble();
        var combined = Math.Sqrt(Math.Pow(ours.StandardError!.Value, 2) + Math.Pow(reference.GetProperty("average_case_se").GetDouble(), 2));
        output.WriteLine($"average case m = {batchSize} {norm}: ours {ours.Value:G6} ± {ours.StandardError:G3}, reference {expected:G6} ± {reference.GetProperty("average_case_se").GetDouble():G3}: {Math.Abs(ours.Value - expected) / combined:F2} combined standard errors apart");
        Assert.True(Math.Abs(ours.Value - expected) < 3 * combined, $"ours {ours.Value} ± {ours.StandardError}, reference {expected} ± {reference.GetProperty("average_case_se").GetDouble()}");
    }

    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    public void KeskarSharpnessMatchesTheReference(int batchSize)
    {
        var reference = Reference.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("batch_size").GetInt32() == batchSize && c.GetProperty("norm").GetString() == "Keskar");
        LandscapeRuntime.Load();
        var (model, data) = Fixture();
        using var modelScope = model;
        using var dataScope = data;
        using var objective = new ModelObjective(model, data, batchSize);
        using var engine = new SharpnessEngine(objective);

        var ours = engine.Keskar(reference.GetProperty("epsilon").GetDouble(), new AscentSchedule { Iterations = Reference.GetProperty("iterations").GetInt32() }, seed: 1).Value;

        var expected = reference.GetProperty("keskar").GetDouble();
        output.WriteLine($"Keskar m = {batchSize}: ours {ours:R}, reference {expected:R}, relative difference {(ours - expected) / expected:G3}");
        Assert.Equal(expected, ours, 1e-4 * expected);
    }

    /// <summary>
    /// On a network with BatchNorm, ReLU and max pooling, dᵀHd summed over m-batches equals the
    /// quadratic form of the Hessian operator behind Get-HessianSpectrum over the whole set (the
    /// batch weights make the two the same Hessian of the mean loss).
    /// </summary>
    [Fact]
    public void DirectionCurvatureOfTheCnnIsTheHessianOperatorsQuadraticForm()
    {
        LandscapeRuntime.Load();
        var (model, data) = Fixture();
        using var modelScope = model;
        using var dataScope = data;
        using var objective = new ModelObjective(model, data, batchSize: 32);
        using var engine = new SharpnessEngine(objective);
        var direction = Curvature.HessianTestModels.RandomVector((int)engine.Dimension, seed: 6);
        using var hessian = new LossLandscape.Core.Curvature.HessianOperator(model, data, batchSize: 64);
        var product = hessian.Apply(direction);
        var expected = direction.Zip(product, (a, b) => a * b).Sum();

        using var d = tensor(direction);
        var (quadratic, _) = engine.Curvature(d, 0.01);

        output.WriteLine($"CNN dᵀHd: {quadratic:R}, Hessian operator {expected:R}");
        Assert.Equal(expected, quadratic, 1e-10 * Math.Abs(expected));
    }

    /// <summary>Merging the BatchNorm statistics into γ and β leaves the function alone but changes what the adaptive measures perturb.</summary>
    [Fact]
    public void MergingBatchNormStatisticsKeepsTheLossAndChangesOnlyTheNormalizationPerturbation()
    {
        LandscapeRuntime.Load();
        var (model, data) = Fixture();
        using var modelScope = model;
        using var dataScope = data;
        var schedule = new AscentSchedule { Iterations = 5 };
        double Measure(bool weightsOnly, out double loss)
        {
            using var objective = new ModelObjective(model, data, 64, weightsOnly: weightsOnly);
            using var engine = new SharpnessEngine(objective);
            loss = engine.Loss();
            return engine.WorstCase(0.01, SharpnessNorm.Linf, schedule, seed: 1).Value;
        }
        var all = Measure(weightsOnly: false, out var loss);
        var filters = Measure(weightsOnly: true, out _);

        Assert.Equal(3, BatchNormMerge.Apply(model));

        var mergedAll = Measure(weightsOnly: false, out var mergedLoss);
        var mergedFilters = Measure(weightsOnly: true, out _);
        output.WriteLine($"loss {loss:R} → {mergedLoss:R}; ℓ∞ worst case, all parameters {all:R} → {mergedAll:R}, filters only {filters:R} → {mergedFilters:R}");
        Assert.Equal(loss, mergedLoss, 1e-12 * loss);
        Assert.Equal(filters, mergedFilters, 1e-9 * filters);
        Assert.True(Math.Abs(mergedAll - all) > 1e-3 * all, $"{all} and {mergedAll}");
        var norm = model.named_modules().Select(m => m.module).OfType<TorchSharp.Modules.BatchNorm>().First();
        Assert.Equal(0.0, norm.running_mean!.abs().max().item<double>());
        Assert.Equal(1 - norm.eps, norm.running_var!.min().item<double>());
    }
}
