using LossLandscape.Core.Native;
using LossLandscape.Core.Sharpness;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace LossLandscape.Core.Tests.Sharpness;

/// <summary>The measures on ½(w − w*)ᵀA(w − w*), A symmetric PSD, where each has a closed form.</summary>
public sealed class SharpnessClosedFormTests
{
    private readonly ITestOutputHelper output;

    public SharpnessClosedFormTests(ITestOutputHelper output)
    {
        LandscapeRuntime.Load();
        this.output = output;
    }

    /// <summary>Weights of both signs with |w_i| in [0.5, 2]: every coordinate is perturbed.</summary>
    private static double[] Weights(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (random.Next(2) == 0 ? -1 : 1) * (0.5 + 1.5 * random.NextDouble())).ToArray();
    }

    /// <summary>A = B Bᵀ/n + 0.1 I: dense, symmetric, positive definite.</summary>
    private static double[,] DenseMatrix(int n, int seed)
    {
        var random = new Random(seed);
        var b = new double[n, n];
        for (var i = 0; i < n; i++) for (var j = 0; j < n; j++) b[i, j] = 2 * random.NextDouble() - 1;
        var a = new double[n, n];
        for (var i = 0; i < n; i++)
        for (var j = 0; j < n; j++)
        {
            double sum = 0;
            for (var k = 0; k < n; k++) sum += b[i, k] * b[j, k];
            a[i, j] = sum / n + (i == j ? 0.1 : 0);
        }
        return a;
    }

    private static Tensor ToTensor(double[,] a) => tensor(a.Cast<double>().ToArray(), [a.GetLength(0), a.GetLength(1)]);

    [Theory]
    [InlineData(SharpnessNorm.L2, 2.0)]
    [InlineData(SharpnessNorm.Linf, 6.0)]
    public void AverageCaseAtAnyPointIsRhoSquaredOverTwoOrSixTimesTheWeightedDiagonal(SharpnessNorm norm, double divisor)
    {
        // A banded A = diag(a) + c(shift up + shift down) with a_i ≥ 1 > 2|c|: PSD, off-diagonal, and the
        // quadratic form of n = 65536 coordinates varies little from draw to draw.
        const int n = 65536;
        const double c = 0.3;
        var random = new Random(5);
        var diagonal = Enumerable.Range(0, n).Select(_ => 1 + random.NextDouble()).ToArray();
        var w = Weights(n, 1);
        var center = Weights(n, 2);
        using var a = tensor(diagonal);
        Tensor Apply(Tensor v) => a * v + c * (roll(v, 1) + roll(v, -1));
        using var objective = new QuadraticObjective(w, center, Apply);
        using var engine = new SharpnessEngine(objective);
        const double rho = 0.05;

        var estimate = engine.Average(rho, norm, samples: 1000, seed: 9);

        var exact = rho * rho / divisor * Enumerable.Range(0, n).Sum(i => w[i] * w[i] * diagonal[i]);
        output.WriteLine($"{norm}: estimate {estimate.Value:R} ± {estimate.StandardError:G3}, closed form {exact:R}, relative difference {(estimate.Value - exact) / exact:G3}");
        Assert.NotNull(estimate.StandardError);
        var error = estimate.StandardError!.Value;
        Assert.True(error > 0 && error < 3e-4 * exact, $"standard error {error} of {exact}");
        Assert.Equal(exact, estimate.Value, 1e-3 * exact);
        Assert.True(Math.Abs(estimate.Value - exact) < 4 * error, $"{estimate.Value} vs {exact}: {Math.Abs(estimate.Value - exact) / error:F1} standard errors");
        // The measure restores w: the loss is the unperturbed one afterwards.
        Assert.Equal(objective.Loss(0).item<double>(), engine.Loss());
    }

    [Fact]
    public void WorstCaseL2AtTheMinimumIsRhoSquaredOverTwoTimesLambdaMaxOfDAD()
    {
        const int n = 8;
        var a = DenseMatrix(n, 3);
        var wStar = Weights(n, 4);
        using var matrix = ToTensor(a);
        using var objective = new QuadraticObjective(wStar, wStar, v => matrix.matmul(v));
        using var engine = new SharpnessEngine(objective);
        const double rho = 0.1;

        var worst = engine.WorstCase(rho, SharpnessNorm.L2, new AscentSchedule { Iterations = 200, Restarts = 4 }, seed: 1);

        using var d = diag(tensor(wStar.Select(Math.Abs).ToArray()));
        using var dad = d.matmul(matrix).matmul(d);
        using var eigenvalues = linalg.eigvalsh(dad);
        var exact = rho * rho / 2 * eigenvalues[-1].item<double>();
        output.WriteLine($"worst case ℓ2: {worst.Value:R}, ρ²/2·λmax(DAD) = {exact:R}, relative difference {(worst.Value - exact) / exact:G3}");
        Assert.Null(worst.StandardError);
        Assert.Equal(exact, worst.Value, 1e-4 * exact);
    }

    [Fact]
    public void WorstCaseL2FromZeroAtTheMinimumStaysAtZero()
    {
        // The gradient vanishes at w*: restart 0 (zero start) cannot move, which is why restarts exist.
        var wStar = Weights(4, 6);
        using var matrix = ToTensor(DenseMatrix(4, 7));
        using var objective = new QuadraticObjective(wStar, wStar, v => matrix.matmul(v));
        using var engine = new SharpnessEngine(objective);
        Assert.Equal(0.0, engine.WorstCase(0.1, SharpnessNorm.L2, new AscentSchedule { Iterations = 20, Restarts = 1 }, seed: 1).Value);
    }

    [Fact]
    public void WorstCaseLinfAtTheMinimumEqualsTheBestVertexOfTheBox()
    {
        const int n = 10;
        var a = DenseMatrix(n, 11);
        var wStar = Weights(n, 12);
        using var matrix = ToTensor(a);
        using var objective = new QuadraticObjective(wStar, wStar, v => matrix.matmul(v));
        using var engine = new SharpnessEngine(objective);
        const double rho = 0.02;

        var worst = engine.WorstCase(rho, SharpnessNorm.Linf, new AscentSchedule { Iterations = 50, Restarts = 20 }, seed: 2);

        // A convex quadratic attains its maximum over a box at a vertex: all 2ⁿ of them.
        double best = 0;
        var delta = new double[n];
        for (var mask = 0; mask < 1 << n; mask++)
        {
            for (var i = 0; i < n; i++) delta[i] = ((mask >> i) & 1) == 1 ? rho * Math.Abs(wStar[i]) : -rho * Math.Abs(wStar[i]);
            double value = 0;
            for (var i = 0; i < n; i++) for (var j = 0; j < n; j++) value += delta[i] * a[i, j] * delta[j];
            best = Math.Max(best, value / 2);
        }
        output.WriteLine($"worst case ℓ∞: {worst.Value:R}, best of {1 << n} vertices {best:R}");
        Assert.Equal(best, worst.Value, 1e-12);
    }

    [Fact]
    public void KeskarSharpnessOfOneParameterEqualsAGridSearch()
    {
        // f(θ) = cos(4(θ − 0.65)) at θ = 0.5 with ε = 0.2: C_ε = [−0.3, 0.3], and the maximum (θ = 0.65) is inside.
        const double theta = 0.5, epsilon = 0.2;
        using var objective = new ScalarObjective(theta, t => (4 * (t - 0.65)).cos());
        using var engine = new SharpnessEngine(objective);

        var keskar = engine.Keskar(epsilon, new AscentSchedule { Iterations = 100, Restarts = 3 }, seed: 4);

        double F(double x) => Math.Cos(4 * (x - 0.65));
        var radius = epsilon * (Math.Abs(theta) + 1);
        const int points = 2_000_000;
        var best = Enumerable.Range(0, points + 1).Max(k => F(theta - radius + 2 * radius * k / points));
        var expected = 100 * (best - F(theta)) / (1 + F(theta));
        output.WriteLine($"Keskar: {keskar.Value:R}, grid search {expected:R}, relative difference {(keskar.Value - expected) / expected:G3}");
        Assert.Equal(expected, keskar.Value, 1e-3 * expected);
    }

    [Fact]
    public void EllipsoidProjectionLandsOnTheBoundaryAndHoldsZeroWeights()
    {
        using var point = tensor(new[] { 3.0, -1.0, 2.0, 5.0 });
        using var scale = tensor(new[] { 1.0, 0.5, 2.0, 0.0 });
        using var projected = EllipsoidProjection.Project(point, scale, 0.7);
        var values = projected.data<double>().ToArray();
        Assert.Equal(0.0, values[3]);
        var norm = Math.Sqrt(Math.Pow(values[0] / 1.0, 2) + Math.Pow(values[1] / 0.5, 2) + Math.Pow(values[2] / 2.0, 2));
        Assert.Equal(0.7, norm, 1e-12);
        // Optimality: the residual x − δ is normal to the ellipsoid, i.e. parallel to δ ⊘ s².
        var lambda0 = (3.0 - values[0]) / (values[0] / 1.0);
        Assert.Equal(lambda0, (-1.0 - values[1]) / (values[1] / 0.25), 1e-9);
        Assert.Equal(lambda0, (2.0 - values[2]) / (values[2] / 4.0), 1e-9);
        using var inside = tensor(new[] { 0.1, 0.1, 0.1, 0.0 });
        using var unchanged = EllipsoidProjection.Project(inside, scale, 0.7);
        Assert.Equal(new[] { 0.1, 0.1, 0.1, 0.0 }, unchanged.data<double>().ToArray());
    }

    [Fact]
    public void AscentCheckpointsFollowAutoPgd()
    {
        // 0.22 + 0.19 + 0.16 + 0.13 sums to 0.7000000000000001 in binary floating point, so ⌈0.70·20⌉ is 15
        // (Python's math.ceil gives the same): the reference implementation must add in the same order.
        Assert.Equal(new[] { 5, 9, 12, 15, 16, 18, 19, 20 }, AscentSchedule.Checkpoints(20));
    }
}
