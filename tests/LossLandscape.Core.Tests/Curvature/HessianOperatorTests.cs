using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Curvature;
using LossLandscape.Core.Data;
using LossLandscape.Core.Native;
using LossLandscape.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Curvature;

public sealed class HessianOperatorTests
{
    public HessianOperatorTests() => LandscapeRuntime.Load();

    [Fact]
    public void LinearModelWithSquaredLossHasTheClosedFormHessian()
    {
        // Mean loss ½(xᵀw − y)² over N samples: H = XᵀX / N, whatever w is.
        using var data = HessianTestModels.Digits(40);
        using var model = LandscapeRuntime.Load().WithGlobalGenerator(5, () => nn.Sequential(nn.Flatten(), nn.Linear(64, 1, hasBias: false)));
        using var hessian = new HessianOperator(model, data, (output, labels) => 0.5 * (output.squeeze(1) - labels.to(output.dtype)).pow(2).mean(), batchSize: 16, float64: true);

        using var x = data.Inputs.reshape(40, 64).to(ScalarType.Float64);
        using var exact = x.t().matmul(x) / 40.0;
        var v = HessianTestModels.RandomVector(64, seed: 3);
        using var expected = exact.matmul(tensor(v));
        var product = hessian.Apply(v);
        var expectedValues = expected.data<double>().ToArray();
        for (var i = 0; i < 64; i++) Assert.Equal(expectedValues[i], product[i], 1e-12);

        using var eigenvalues = linalg.eigvalsh(exact);
        var exactValues = eigenvalues.data<double>().ToArray();
        var solver = new LanczosEigensolver(hessian.Apply, hessian.Dimension) { Seed = 1 };
        var top = solver.Largest(3);
        var bottom = solver.Smallest(1);
        for (var i = 0; i < 3; i++) Assert.Equal(exactValues[^(i + 1)], top.Eigenvalues[i], 1e-6 * exactValues[^1]);
        Assert.Equal(exactValues[0], bottom.Eigenvalues[0], 1e-6 * exactValues[^1]);
    }

    [Fact]
    public void SoftmaxCrossEntropyHessianMatchesTheExplicitMatrix()
    {
        using var data = HessianTestModels.Digits(40);
        using var model = HessianTestModels.Linear(seed: 7);
        using var hessian = new HessianOperator(model, data, LossFunction.CrossEntropy, batchSize: 40, float64: true);
        var n = hessian.Dimension;
        Assert.Equal(650, n);

        var columns = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            var unit = new double[n];
            unit[i] = 1;
            hessian.Apply(unit).CopyTo(columns, i * n);
        }
        using var explicitHessian = tensor(columns, [n, n]);
        using var asymmetry = (explicitHessian - explicitHessian.t()).abs().max();
        Assert.True(asymmetry.item<double>() < 1e-12, $"asymmetry {asymmetry.item<double>()}");
        using var eigenvalues = linalg.eigvalsh(explicitHessian);
        var exact = eigenvalues.data<double>().ToArray();

        var solver = new LanczosEigensolver(hessian.Apply, n) { Seed = 3 };
        var top = solver.Largest(3);
        var bottom = solver.Smallest(1);
        var scale = Math.Abs(exact[^1]);
        for (var i = 0; i < 3; i++) Assert.Equal(exact[^(i + 1)], top.Eigenvalues[i], 1e-6 * scale);
        Assert.Equal(exact[0], bottom.Eigenvalues[0], 1e-6 * scale);
        Assert.Equal(n + top.OperatorApplications + bottom.OperatorApplications, hessian.HessianVectorProducts);
    }

    [Fact]
    public void ASubsetOperatorIsTheSubBlockOfTheExplicitHessian()
    {
        using var data = HessianTestModels.Digits(30);
        using var model = HessianTestModels.Softplus(seed: 2);
        double[,] Explicit(HessianOperator hessian)
        {
            var n = hessian.Dimension;
            var matrix = new double[n, n];
            for (var i = 0; i < n; i++)
            {
                var unit = new double[n];
                unit[i] = 1;
                var column = hessian.Apply(unit);
                for (var j = 0; j < n; j++) matrix[j, i] = column[j];
            }
            return matrix;
        }
        double[,] full;
        using (var whole = new HessianOperator(model, data, batchSize: 30, float64: true)) full = Explicit(whole);

        // The second layer ('3.weight' 10×6, '3.bias' 10) follows '1.weight' (6×64) and '1.bias' (6) in the full vector.
        using var hessian = new HessianOperator(model, data, batchSize: 30, float64: true, subset: new ParameterSubset(["3.*"]));
        Assert.Equal(["3.weight", "3.bias"], hessian.ParameterNames);
        const int start = 6 * 64 + 6;
        var n = hessian.Dimension;
        Assert.Equal(70, n);
        var block = new double[n * n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++) block[i * n + j] = full[start + i, start + j];
        var sub = Explicit(hessian);
        var scale = block.Max(Math.Abs);
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++) Assert.Equal(block[i * n + j], sub[i, j], 1e-12 * scale);

        using var blockTensor = tensor(block, [n, n]);
        using var eigenvalues = linalg.eigvalsh(blockTensor);
        var exact = eigenvalues.data<double>().ToArray();
        var top = new LanczosEigensolver(hessian.Apply, n) { Seed = 3 }.Largest(1).Eigenvalues[0];
        Assert.Equal(exact[^1], top, 1e-6 * Math.Abs(exact[^1]));
        // The sub-block's λmax is not the whole Hessian's: the test would pass vacuously otherwise.
        var flat = new double[full.Length];
        Buffer.BlockCopy(full, 0, flat, 0, flat.Length * sizeof(double));
        using var fullTensor = tensor(flat, [full.GetLength(0), full.GetLength(0)]);
        using var fullEigenvalues = linalg.eigvalsh(fullTensor);
        Assert.True(Math.Abs(fullEigenvalues.data<double>().ToArray()[^1] - top) > 1e-3 * Math.Abs(top));
    }

    [Fact]
    public void ProductMatchesCentralDifferencesOfTheGradientToSecondOrder()
    {
        using var data = HessianTestModels.Digits(30);
        using var model = HessianTestModels.Softplus(seed: 2);
        using var hessian = new HessianOperator(model, data, batchSize: 30, float64: true);
        var v = HessianTestModels.RandomVector(hessian.Dimension, seed: 4);
        var product = hessian.Apply(v);

        double Error(double epsilon)
        {
            var step = v.Select(x => x * epsilon).ToArray();
            HessianTestModels.Shift(model, hessian.ParameterNames, step);
            var plus = hessian.Gradient();
            HessianTestModels.Shift(model, hessian.ParameterNames, step.Select(x => -2 * x).ToArray());
            var minus = hessian.Gradient();
            HessianTestModels.Shift(model, hessian.ParameterNames, step);
            return Math.Sqrt(product.Select((p, i) => Math.Pow((plus[i] - minus[i]) / (2 * epsilon) - p, 2)).Sum());
        }

        var coarse = Error(1e-2);
        var fine = Error(1e-3);
        var ratio = coarse / fine;
        Assert.True(ratio is > 30 and < 300, $"errors {coarse} and {fine}, ratio {ratio}");
        var productNorm = Math.Sqrt(product.Sum(p => p * p));
        Assert.True(fine < 1e-4 * productNorm, $"error {fine}, ‖Hv‖ {productNorm}");
    }

    [Fact]
    public void BatchedProductEqualsTheFullDataProduct()
    {
        using var data = HessianTestModels.Digits(37);
        using var model = Core.Models.ModelZoo.Create(LandscapeRuntime.Load(), Core.Models.ModelZoo.DefaultSpec("Mlp"), seed: 9);
        using var full = new HessianOperator(model, data, batchSize: 37, float64: true);
        var v = HessianTestModels.RandomVector(full.Dimension, seed: 6);
        var expected = full.Apply(v);
        using var batched = new HessianOperator(model, data, batchSize: 8, float64: true);
        var actual = batched.Apply(v);

        var norm = Math.Sqrt(expected.Sum(x => x * x));
        var difference = Math.Sqrt(expected.Select((e, i) => (e - actual[i]) * (e - actual[i])).Sum());
        Assert.True(difference < 1e-6 * norm, $"difference {difference}, norm {norm}");
    }

    [Fact]
    public void WeightsOnlyKeepsParametersWithMoreThanOneDimension()
    {
        using var data = HessianTestModels.Digits(10);
        using var model = HessianTestModels.Softplus(seed: 1);
        using var hessian = new HessianOperator(model, data, weightsOnly: true);
        Assert.Equal(64 * 6 + 6 * 10, hessian.Dimension);
        Assert.All(hessian.ParameterNames, name => Assert.EndsWith("weight", name));
    }

    [Fact]
    public void Float64ConversionIsUndoneOnDispose()
    {
        using var data = HessianTestModels.Digits(10);
        using var model = HessianTestModels.Softplus(seed: 1);
        using (new HessianOperator(model, data, float64: true))
        {
            Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float64, p.dtype));
        }
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
    }

    [Fact]
    public void NaNWeightsAreRefusedBeforeAnyProduct()
    {
        using var data = HessianTestModels.Digits(10);
        using var model = HessianTestModels.Softplus(seed: 1);
        using (no_grad()) model.parameters().Last()[0].fill_(double.NaN);

        var error = Assert.Throws<ArgumentException>(() => new HessianOperator(model, data));
        Assert.Contains("3.bias", error.Message);
    }

    [Fact]
    public void EmptyDataIsRefused()
    {
        using var data = new PreloadedDataset(LandscapeRuntime.Load(), new DatasetReference("Digits"), new DatasetArrays([], [], 1, 8, 8, 10));
        using var model = HessianTestModels.Softplus(seed: 1);
        Assert.Throws<ArgumentException>(() => new HessianOperator(model, data));
    }

    [Fact]
    public void VectorsOfTheWrongLengthOrWithNaNAreRefused()
    {
        using var data = HessianTestModels.Digits(10);
        using var model = HessianTestModels.Softplus(seed: 1);
        using var hessian = new HessianOperator(model, data);
        Assert.Throws<ArgumentException>(() => hessian.Apply(new double[hessian.Dimension - 1]));
        var withNaN = new double[hessian.Dimension];
        withNaN[3] = double.NaN;
        Assert.Throws<ArgumentException>(() => hessian.Apply(withNaN));
        Assert.Equal(0, hessian.HessianVectorProducts);
    }

    [Fact]
    public void CancellationStopsAProduct()
    {
        using var data = HessianTestModels.Digits(10);
        using var model = HessianTestModels.Softplus(seed: 1);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        using var hessian = new HessianOperator(model, data, cancellation: cancelled.Token);
        Assert.Throws<OperationCanceledException>(() => hessian.Apply(new double[hessian.Dimension]));
    }
}
