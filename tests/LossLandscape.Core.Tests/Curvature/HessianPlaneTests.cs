using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Curvature;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Native;
using LossLandscape.Core.Tests.Surfaces;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Curvature;

/// <summary>The λmax/λmin plane of Böttcher and Wheeler, rescaled to the random plane's norms, against an explicit Hessian.</summary>
public sealed class HessianPlaneTests(TrainedCheckpoints trained) : IClassFixture<TrainedCheckpoints>
{
    private readonly LandscapeRuntime runtime = LandscapeRuntime.Load();

    [Fact]
    public void TheBottomEigenvectorIsTheExplicitHessiansAndTheRescaledPlaneKeepsTheEigenProperty()
    {
        using var data = HessianTestModels.Digits(40);
        using var model = HessianTestModels.Softplus(seed: 2);
        var layout = ParameterLayout.Of(model);
        // Drawn before the operator turns the model into float64, as Get-LossSurface draws them from the float32 checkpoint.
        var random = new[] { 0, 1 }.Select(axis => DirectionFactory.Random(model, new DirectionRecipe { Seed = 9, Axis = axis, CheckpointSha256 = "explicit" })).ToArray();
        using var hessian = new HessianOperator(model, data, batchSize: 40, weightsOnly: true, float64: true);
        var n = hessian.Dimension;
        var columns = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            var unit = new double[n];
            unit[i] = 1;
            hessian.Apply(unit).CopyTo(columns, i * n);
        }
        using var explicitHessian = tensor(columns, [n, n]);
        var (values, vectors) = linalg.eigh(explicitHessian);
        using var exactValues = values;
        using var exactVectors = vectors;
        var exact = exactValues.data<double>().ToArray();
        Assert.True(exact[0] < 0 && exact[1] - exact[0] > 1e-3 * exact[^1], $"λmin {exact[0]} is not a simple negative eigenvalue (next {exact[1]})");
        using var exactBottomTensor = exactVectors[.., 0].contiguous();
        var exactBottom = exactBottomTensor.data<double>().ToArray();

        var solver = new LanczosEigensolver(hessian.Apply, n) { Seed = 3 };
        var top = solver.Largest(1);
        var bottom = solver.Smallest(1);
        var v = bottom.Eigenvectors[0];
        Assert.True(Math.Abs(Cosine(v, exactBottom)) > 1 - 1e-6, $"|cos| = {Math.Abs(Cosine(v, exactBottom))}");
        Assert.Equal(exact[0], Dot(v, Multiply(columns, v)) / Dot(v, v), 1e-9 * exact[^1]);

        var plane = EigenvectorDirections.Create(layout, hessian.ParameterNames, [top.Eigenvectors[0], v], [top.Eigenvalues[0], bottom.Eigenvalues[0]], "explicit", random);
        for (var axis = 0; axis < 2; axis++)
        {
            var direction = plane[axis];
            Assert.Equal(DirectionNormalization.RandomNorm, direction.Recipe.Normalization);
            Assert.Equal(9, direction.Recipe.Seed);
            Assert.Equal(random[axis].Norm, direction.Norm, 1e-6 * random[axis].Norm);
            var w = Restrict(direction, layout, hessian.ParameterNames);
            var hw = Multiply(columns, w);
            // Rescaled by one global factor, it is still an eigenvector: H w ∥ w, with the same Rayleigh quotient.
            Assert.True(Math.Abs(Cosine(hw, w)) > 1 - 1e-6, $"axis {axis}: |cos(Hw, w)| = {Math.Abs(Cosine(hw, w))}");
            Assert.Equal(direction.Recipe.Eigenvalue!.Value, Dot(w, hw) / Dot(w, w), 1e-6 * exact[^1]);
        }
        Assert.Equal(exact[0], plane[1].Recipe.Eigenvalue!.Value, 1e-6 * exact[^1]);
        Assert.Equal(exact[^1], plane[0].Recipe.Eigenvalue!.Value, 1e-6 * exact[^1]);
    }

    [Fact]
    public void TheAnalysisSavesTheTopBottomPlaneAtTheRandomPlanesNorms()
    {
        var checkpoint = trained.Cnn[^1];
        var file = Path.Combine(trained.NewFolder(), "topbottom.h5");
        var options = new HessianAnalysisOptions
        {
            Dataset = new DatasetReference("Digits", MaxSamples: 60, SubsetSeed: 2),
            Seed = 3, Float64 = true, Pair = HessianPair.TopBottom, ScaleSeed = 5, EigenvectorFile = file,
        };

        var result = new HessianAnalysis(runtime, checkpoint, options).Run();

        Assert.Equal(2, result.Eigenvectors.Count);
        Assert.Equal(result.Largest.Eigenvalues[0], result.Eigenvectors[0].Recipe.Eigenvalue);
        Assert.Equal(result.MinEigenvalue, result.Eigenvectors[1].Recipe.Eigenvalue);
        for (var axis = 0; axis < 2; axis++)
        {
            var random = DirectionBuilder.Build(runtime, checkpoint, new DirectionRecipe { Seed = 5, Axis = axis, CheckpointSha256 = checkpoint.Metadata.StateSha256 });
            Assert.Equal(random.Norm, result.Eigenvectors[axis].Norm, 1e-6 * random.Norm);
            Assert.Equal(DirectionNormalization.RandomNorm, result.Eigenvectors[axis].Recipe.Normalization);
        }
        var saved = DirectionStore.Read(file, ParameterLayout.Of(runtime, checkpoint), checkpoint.Metadata.StateSha256);
        Assert.Equal(result.Eigenvectors.Select(e => e.Recipe), saved.Select(e => e.Recipe));
        Assert.Contains("scaled to the norm of random seed 5 axis y", saved[1].Recipe.ToString());
    }

    private static double[] Restrict(DirectionVector direction, ParameterLayout layout, IReadOnlyList<string> names)
    {
        var chosen = names.ToHashSet(StringComparer.Ordinal);
        return layout.Parameters.Where(p => chosen.Contains(p.Name))
            .SelectMany(p => direction.Parameters.Skip((int)p.Offset).Take((int)p.Length).Select(x => (double)x)).ToArray();
    }

    private static double[] Multiply(double[] columns, double[] v)
    {
        var n = v.Length;
        var result = new double[n];
        for (var j = 0; j < n; j++)
            for (var i = 0; i < n; i++) result[i] += columns[j * n + i] * v[j];
        return result;
    }

    private static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();

    private static double Cosine(double[] a, double[] b) => Dot(a, b) / Math.Sqrt(Dot(a, a) * Dot(b, b));
}
