using LossLandscape.Core.Data;
using LossLandscape.Core.Models;
using LossLandscape.Core.Surfaces;
using LossLandscape.Core.Training;

namespace LossLandscape.Bench.Surfaces;

/// <summary>One measured surface: a trained checkpoint, the data it is evaluated on, and the grid.</summary>
/// <param name="Workload">The letter <c>--only</c> selects it by: a, b or c.</param>
/// <param name="IsScaling">A smaller companion run of its workload, reported only as per-point times.</param>
internal sealed record BenchCase(string Key, char Workload, bool IsScaling, TrainingOptions Training, DatasetReference Data, SurfaceGrid Grid)
{
    public int Points => Grid.PointCount;

    public string GridText => Grid.Y is null ? $"{Grid.X.Length}-point line over [{Grid.X[0]}, {Grid.X[^1]}]" : $"{Grid.X.Length}×{Grid.Y.Length} grid over [{Grid.X[0]}, {Grid.X[^1]}]²";

    public string Title => $"({Workload}) {Training.Model.Architecture} on {Data}, {GridText}";
}

/// <summary>The workloads of issue 8, each with fixed seeds so every run measures the same computation.</summary>
internal static class BenchCases
{
    public static IReadOnlyList<char> Workloads { get; } = ['a', 'b', 'c'];

    private const long TrainingSeed = 1;

    public static IReadOnlyList<BenchCase> For(SurfaceBenchOptions options)
    {
        var quick = options.Quick;
        var cifar = new DatasetReference(SyntheticCifarData.Name);
        // The paper's CIFAR recipe (batch 128, Nesterov) at the 0.01 warm-up rate He et al. start deep ResNets with
        // (at 0.1 ResNet-56 diverges in its first epoch here); one epoch gives BatchNorm real statistics.
        var resNet20 = new TrainingOptions { Model = ModelZoo.DefaultSpec("ResNet20"), Dataset = cifar, Epochs = 1, BatchSize = 128, LearningRate = 0.01, Nesterov = true, Seed = TrainingSeed };
        var resNet56 = resNet20 with { Model = ModelZoo.DefaultSpec("ResNet56"), Dataset = cifar with { MaxSamples = 1000 } };
        var digitsCnn = new TrainingOptions { Model = ModelZoo.DefaultSpec("DigitsCnn"), Dataset = new DatasetReference(DigitsData.Name), Epochs = 10, Seed = TrainingSeed };

        BenchCase[] cases =
        [
            new("a", 'a', false, resNet20, resNet20.Dataset, Square(quick ? 2 : 11)),
            new("a-500", 'a', true, resNet20, resNet20.Dataset with { MaxSamples = 500 }, Square(quick ? 2 : 5)),
            new("b", 'b', false, digitsCnn, digitsCnn.Dataset, Square(quick ? 7 : 51)),
            new("b-11", 'b', true, digitsCnn, digitsCnn.Dataset, Square(quick ? 3 : 11)),
            new("c", 'c', false, resNet56, resNet56.Dataset, Line(quick ? 3 : 51)),
        ];
        return cases.Where(c => options.Workloads.Contains(c.Workload)).ToArray();
    }

    private static SurfaceGrid Square(int steps) => new(SurfaceGrid.Linspace(-1, 1, steps), SurfaceGrid.Linspace(-1, 1, steps));

    private static SurfaceGrid Line(int steps) => new(SurfaceGrid.Linspace(-1, 1, steps), null);
}
