using LossLandscape.Core.Curvature;
using LossLandscape.Core.Data;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Tests.Curvature;

public sealed class GroupSpectrumTests
{
    public GroupSpectrumTests() => LandscapeRuntime.Load();

    [Fact]
    public void EachGroupsLambdaMaxAndDensityAreThoseOfItsDiagonalBlockOfTheExplicitHessian()
    {
        using var data = HessianTestModels.Digits(30);
        using var model = HessianTestModels.Softplus(seed: 2);
        using var hessian = new HessianOperator(model, data, batchSize: 30, float64: true);
        var n = hessian.Dimension;
        var full = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            var unit = new double[n];
            unit[i] = 1;
            var column = hessian.Apply(unit);
            for (var j = 0; j < n; j++) full[j, i] = column[j];
        }
        var lengths = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.numel());
        var groups = ParameterGroups.Of(hessian.ParameterNames, hessian.ParameterNames.Select(name => lengths[name]).ToArray(), HessianGrouping.Layer);
        Assert.Equal([390, 70], groups.Select(g => g.Length));
        var before = hessian.HessianVectorProducts;

        var spectra = new GroupSpectrumEstimator(hessian.Apply, n) { Seed = 5 }.Estimate(groups, (Runs: 4, Steps: 40));

        Assert.Equal(hessian.HessianVectorProducts - before, spectra.Sum(s => s.HessianVectorProducts));
        var wholeLargest = Eigenvalues(full, 0, n)[^1];
        foreach (var (group, spectrum) in groups.Zip(spectra))
        {
            var block = SymmetricTestMatrix.From(Block(full, group.Offset, group.Length));
            var exact = block.Eigenvalues();
            Assert.Equal(group.Name, spectrum.Group);
            Assert.True(spectrum.Largest.Converged);
            Assert.Equal(exact[^1], spectrum.MaxEigenvalue, 1e-6 * Math.Abs(exact[^1]));
            // Cauchy interlacing: no diagonal block is stiffer than the whole Hessian.
            Assert.True(spectrum.MaxEigenvalue <= wholeLargest * (1 + 1e-9));
            Assert.Equal(spectrum.Largest.OperatorApplications + spectrum.Density!.Nodes.Sum(nodes => nodes.Length), spectrum.HessianVectorProducts);

            var density = spectrum.Density;
            Assert.Equal(1.0, Integrate(density.Grid, density.Density), 1e-6);
            var mean = Integrate(density.Grid, density.Grid.Select((t, i) => t * density.Density[i]).ToArray());
            Assert.Equal(density.Moment(1).Mean, mean, 1e-6 * Math.Abs(mean));
            // Each run's first moment is zᵀH_gg z/n for a Rademacher z: mean tr(H_gg)/n, variance 2(‖H_gg‖²_F − Σ h_ii²)/n².
            double diagonalSquares = 0;
            for (var i = 0; i < block.Dimension; i++) diagonalSquares += block.Entries[i, i] * block.Entries[i, i];
            var standardError = Math.Sqrt(2 * (block.TraceOfSquare() - diagonalSquares) / density.Runs) / block.Dimension;
            Assert.InRange(mean, block.Trace() / block.Dimension - 5 * standardError, block.Trace() / block.Dimension + 5 * standardError);
        }
        // The second layer's block is not the whole Hessian's top: the comparison above would otherwise prove less.
        Assert.True(Math.Abs(spectra[1].MaxEigenvalue - wholeLargest) > 1e-3 * wholeLargest);
    }

    [Fact]
    public void TheBlockOperatorIsTheDiagonalBlockAndTheSameSeedGivesTheSameBits()
    {
        var matrix = SymmetricTestMatrix.Random(30, seed: 8);
        ParameterGroup[] groups = [new("a", 0, 12), new("b", 12, 18)];
        var estimator = new GroupSpectrumEstimator(matrix.Apply, matrix.Dimension) { Seed = 3 };

        var u = HessianTestModels.RandomVector(18, seed: 4);
        var product = estimator.DiagonalBlock(groups[1])(u);
        for (var i = 0; i < 18; i++)
        {
            double expected = 0;
            for (var j = 0; j < 18; j++) expected += matrix.Entries[12 + i, 12 + j] * u[j];
            Assert.Equal(expected, product[i], 1e-12);
        }

        var first = estimator.Estimate(groups, (Runs: 2, Steps: 10));
        var second = new GroupSpectrumEstimator(matrix.Apply, matrix.Dimension) { Seed = 3 }.Estimate(groups, (Runs: 2, Steps: 10));
        Assert.Equal(first.Select(s => s.MaxEigenvalue), second.Select(s => s.MaxEigenvalue));
        Assert.Equal(first.SelectMany(s => s.Density!.Density), second.SelectMany(s => s.Density!.Density));
        var exactB = SymmetricTestMatrix.From(Block(matrix.Entries, 12, 18)).Eigenvalues()[^1];
        Assert.Equal(exactB, first[1].MaxEigenvalue, 1e-6 * Math.Abs(exactB));
        Assert.Null(estimator.Estimate(groups)[0].Density);
    }

    [Fact]
    public void AGroupOutsideTheOperatorAndASpectrumPerGroupWithoutGroupsAreRefused()
    {
        var matrix = SymmetricTestMatrix.Random(5, seed: 1);
        var estimator = new GroupSpectrumEstimator(matrix.Apply, 5);
        Assert.Throws<ArgumentException>(() => estimator.Estimate([new ParameterGroup("late", 3, 4)]));
        var options = new HessianAnalysisOptions { Dataset = new DatasetReference("Digits"), GroupSpectrum = true };
        Assert.Contains("GroupBy", Assert.Throws<ArgumentException>(options.Validate).Message);
        (options with { GroupBy = HessianGrouping.Block }).Validate();
    }

    private static double[,] Block(double[,] matrix, int offset, int length)
    {
        var block = new double[length, length];
        for (var i = 0; i < length; i++)
            for (var j = 0; j < length; j++) block[i, j] = matrix[offset + i, offset + j];
        return block;
    }

    private static double[] Eigenvalues(double[,] matrix, int offset, int length) => SymmetricTestMatrix.From(Block(matrix, offset, length)).Eigenvalues();

    /// <summary>Trapezoid rule on the grid.</summary>
    private static double Integrate(double[] grid, double[] values)
    {
        double sum = 0;
        for (var i = 1; i < grid.Length; i++) sum += 0.5 * (values[i] + values[i - 1]) * (grid[i] - grid[i - 1]);
        return sum;
    }
}
