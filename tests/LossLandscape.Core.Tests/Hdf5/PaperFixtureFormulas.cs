using LossLandscape.Core.Directions;
using LossLandscape.Core.Surfaces;

namespace LossLandscape.Core.Tests.Hdf5;

/// <summary>
/// The formulas of Fixtures/Hdf5/make_paper_files.py, repeated here so the tests check the
/// paper-layout fixtures value by value. Every value is exact in binary floating point.
/// </summary>
internal static class PaperFixtureFormulas
{
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Hdf5");

    public const string DirFile = "resnet56_sgd_lr=0.1.t7_weights_xignore=biasbn_xnorm=filter_yignore=biasbn_ynorm=filter.h5";

    public static readonly double[] X2D = [-1, -0.5, 0, 0.5, 1];
    public static readonly double[] Y2D = [-0.5, 0, 0.5];
    public static readonly double[] X1D = [-1.5, -1, -0.5, 0, 0.5, 1, 1.5];

    public static readonly long[][] TensorShapes =
        [[4, 2, 3, 3], [4], [4], [4], [4], [4], [], [3, 4, 1, 1], [3], [5, 3], [5], [2, 5], [2]];

    public const int Int64Tensor = 6;

    public static double Loss2D(double x, double y) => 20 + x + 10 * y + 0.125 * x * x;

    public static double Accuracy2D(double x, double y) => 50 + 4 * x + 20 * y;

    public static double Loss1D(double x) => 2 + x + 0.25 * x * x;

    public static double Accuracy1D(double x) => 90 - 5 * x;

    public static float DirectionValue(char axis, int tensor, int flatIndex)
    {
        var value = (tensor + 1) * 100 + 0.5f * flatIndex;
        return axis == 'x' ? value : -value;
    }

    /// <summary>Row-major grid of <paramref name="formula"/>: cell i * len(x) + j at (x[j], y[i]).</summary>
    public static double[] Grid(double[] x, double[] y, Func<double, double, double> formula) =>
        y.SelectMany(yi => x.Select(xj => formula(xj, yi))).ToArray();

    public static DirectionTensor[] Direction(char axis) =>
        TensorShapes.Select((shape, tensor) =>
        {
            var count = (int)shape.Aggregate(1L, (product, size) => product * size);
            return new DirectionTensor(Enumerable.Range(0, count).Select(k => DirectionValue(axis, tensor, k)).ToArray(), shape);
        }).ToArray();

    /// <summary>The 2D surface of the paper fixture as our writer stores it: all cells computed but the last.</summary>
    public static SurfaceFileContent Surface2D()
    {
        var computed = Enumerable.Repeat(true, X2D.Length * Y2D.Length).ToArray();
        computed[^1] = false;
        var losses = Grid(X2D, Y2D, Loss2D);
        var accuracies = Grid(X2D, Y2D, Accuracy2D);
        return new SurfaceFileContent(
            X2D,
            Y2D,
            new Dictionary<string, double[]> { ["train_loss"] = losses, ["train_acc"] = accuracies },
            computed,
            DirFile,
            new Dictionary<string, string> { ["z_second"] = "two", ["losslandscape_metadata"] = """{"kind":"surface","note":"ü"}""" });
    }

    /// <summary>The content as our files hold it: the cells not computed hold <see cref="SurfaceFile.NotComputedFill"/>.</summary>
    public static SurfaceFileContent WithFillWhereNotComputed(SurfaceFileContent content) => content with
    {
        Values = content.Values.ToDictionary(p => p.Key, p => p.Value.Select((value, cell) => content.Computed[cell] ? value : SurfaceFile.NotComputedFill).ToArray()),
    };

    public static SurfaceFileContent Surface1D() =>
        new(
            X1D,
            null,
            new Dictionary<string, double[]>
            {
                ["train_loss"] = X1D.Select(Loss1D).ToArray(),
                ["train_acc"] = X1D.Select(Accuracy1D).ToArray(),
            },
            Enumerable.Repeat(true, X1D.Length).ToArray(),
            "",
            new Dictionary<string, string>());
}
