using LossLandscape.Core.Curvature;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Tests.Curvature;

public sealed class LanczosEigensolverTests
{
    public LanczosEigensolverTests() => LandscapeRuntime.Load();

    [Fact]
    public void TopAndBottomEigenvaluesOfARandomSymmetricMatrixMatchLapack()
    {
        var matrix = SymmetricTestMatrix.Random(120, seed: 3);
        var exact = matrix.Eigenvalues();
        var solver = new LanczosEigensolver(matrix.Apply, matrix.Dimension) { Seed = 11 };

        var top = solver.Largest(3);
        var bottom = solver.Smallest(2);

        var scale = Math.Abs(exact[^1]);
        Assert.True(top.Converged);
        Assert.True(bottom.Converged);
        for (var i = 0; i < 3; i++) Assert.Equal(exact[^(i + 1)], top.Eigenvalues[i], 1e-8 * scale);
        for (var i = 0; i < 2; i++) Assert.Equal(exact[i], bottom.Eigenvalues[i], 1e-8 * scale);
        foreach (var residual in top.ResidualNorms.Concat(bottom.ResidualNorms)) Assert.True(residual < 1e-5 * scale, $"residual {residual}");
    }

    [Fact]
    public void RepeatedEigenvaluesAreFoundThroughRestarts()
    {
        // diag(5, 5, 5, 1, …, 1): the Krylov space from one start vector holds only one vector per eigenspace.
        var entries = new double[30, 30];
        for (var i = 0; i < 30; i++) entries[i, i] = i < 3 ? 5 : 1;
        var matrix = SymmetricTestMatrix.From(entries);

        var top = new LanczosEigensolver(matrix.Apply, 30) { Seed = 2 }.Largest(4);

        Assert.Equal([5, 5, 5, 1], top.Eigenvalues.Select(v => Math.Round(v, 9)));
        Assert.True(top.Converged);
    }

    [Fact]
    public void RitzVectorsAreEigenvectorsWithTheReportedResidual()
    {
        var matrix = SymmetricTestMatrix.Random(40, seed: 5);
        var top = new LanczosEigensolver(matrix.Apply, 40).Largest(1);

        var image = matrix.Apply(top.Eigenvectors[0]);
        var residual = Math.Sqrt(image.Select((x, i) => Math.Pow(x - top.Eigenvalues[0] * top.Eigenvectors[0][i], 2)).Sum());
        Assert.Equal(residual, top.ResidualNorms[0], 1e-12);
        Assert.True(residual <= 2e-6 * Math.Abs(top.Eigenvalues[0]), $"residual {residual}");
        Assert.Equal(1.0, Math.Sqrt(top.Eigenvectors[0].Sum(x => x * x)), 12);
    }

    [Fact]
    public void SameSeedGivesTheSameResult()
    {
        var matrix = SymmetricTestMatrix.Random(50, seed: 8);
        var first = new LanczosEigensolver(matrix.Apply, 50) { Seed = 4, MaxIterations = 10 }.Largest(2);
        var second = new LanczosEigensolver(matrix.Apply, 50) { Seed = 4, MaxIterations = 10 }.Largest(2);
        Assert.Equal(first.Eigenvalues, second.Eigenvalues);
        Assert.Equal(10, first.Iterations);
    }

    [Fact]
    public void AnOperatorReturningNaNIsRefused()
    {
        var solver = new LanczosEigensolver(v => v.Select(_ => double.NaN).ToArray(), 5);
        Assert.Throws<InvalidOperationException>(() => solver.Largest(1));
    }
}
