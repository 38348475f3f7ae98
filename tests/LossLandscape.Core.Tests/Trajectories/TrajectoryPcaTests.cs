using System.Text.Json;
using LossLandscape.Core.Native;
using LossLandscape.Core.Trajectories;

namespace LossLandscape.Core.Tests.Trajectories;

public sealed class TrajectoryPcaTests
{
    public TrajectoryPcaTests() => LandscapeRuntime.Load();

    public static TheoryData<string> Cases() => new() { "random_walk", "plane" };

    [Theory]
    [MemberData(nameof(Cases))]
    public void AgreesWithScikitLearnAndThePaperCodesProjection(string name)
    {
        var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Trajectories", "pca_reference.json")))
            .RootElement.EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        var rows = reference.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();

        var (ratios, singular, components) = TrajectoryPca.Decompose(rows, 2);

        AssertClose(Doubles(reference.GetProperty("ratio")), ratios, 1e-6);
        AssertClose(Doubles(reference.GetProperty("singular_values")), singular, 1e-5 * singular[0]);
        var expectedComponents = reference.GetProperty("components").EnumerateArray().Select(Doubles).ToArray();
        for (var k = 0; k < 2; k++) AssertClose(expectedComponents[k], components[k], 1e-6);
        var projected = rows.Select(r => TrajectoryPca.Project(r, components, ProjectionMethod.Orthogonal)).ToArray();
        AssertClose(Doubles(reference.GetProperty("x")), projected.Select(p => p.X).ToArray(), 1e-5);
        AssertClose(Doubles(reference.GetProperty("y")), projected.Select(p => p.Y).ToArray(), 1e-5);
    }

    [Fact]
    public void ATrajectoryOnALineHasOneComponentWithAllTheVariance()
    {
        var direction = Enumerable.Range(0, 50).Select(i => (float)Math.Sin(i + 1)).ToArray();
        var norm = Math.Sqrt(direction.Sum(v => (double)v * v));
        float[][] rows = [.. new[] { 3f, 2f, 1.5f, 0.5f, 0f }.Select(t => direction.Select(d => t * d).ToArray())];

        var (ratios, _, components) = TrajectoryPca.Decompose(rows, 2);

        Assert.Equal(1.0, ratios[0], 12);
        Assert.Equal(0.0, ratios[1]);
        Assert.Single(components);
        var xs = rows.Select(r => TrajectoryPca.Project(r, components, ProjectionMethod.Orthogonal).X).ToArray();
        var sign = Math.Sign(xs[0]);
        AssertClose(new[] { 3, 2, 1.5, 0.5, 0 }.Select(t => sign * t * norm).ToArray(), xs, 1e-5);
    }

    [Fact]
    public void ATrajectoryOnAKnownPlaneSplitsTheVarianceAsItsCoefficients()
    {
        // Centred, uncorrelated coefficients: the ratios are Σa² / (Σa² + Σb²) = 20/24 and 4/24.
        double[] a = [3, 1, -1, -3], b = [1, -1, -1, 1];
        var u = Enumerable.Range(0, 6).Select(i => i % 2 == 0 ? 1 / Math.Sqrt(3) : 0).ToArray();
        var v = Enumerable.Range(0, 6).Select(i => i % 2 == 1 ? 1 / Math.Sqrt(3) : 0).ToArray();
        var rows = a.Zip(b, (ai, bi) => u.Zip(v, (ui, vi) => (float)(ai * ui + bi * vi)).ToArray()).ToArray();

        var (ratios, _, components) = TrajectoryPca.Decompose(rows, 2);

        Assert.Equal(20.0 / 24, ratios[0], 6);
        Assert.Equal(4.0 / 24, ratios[1], 6);
        Assert.Equal(1.0, ratios.Sum(), 12);
        var projected = rows.Select(r => TrajectoryPca.Project(r, components, ProjectionMethod.LeastSquares)).ToArray();
        AssertClose(a.Select(x => Math.Abs(x)).ToArray(), projected.Select(p => Math.Abs(p.X)).ToArray(), 1e-5);
        AssertClose(b.Select(x => Math.Abs(x)).ToArray(), projected.Select(p => Math.Abs(p.Y)).ToArray(), 1e-5);
        // Orthogonal projection equals least squares for orthonormal components.
        var orthogonal = rows.Select(r => TrajectoryPca.Project(r, components, ProjectionMethod.Orthogonal)).ToArray();
        AssertClose(projected.Select(p => p.X).ToArray(), orthogonal.Select(p => p.X).ToArray(), 1e-9);
    }

    [Fact]
    public void SignsAreFixedByTheLargestCoefficientAndRepeat()
    {
        var rows = Enumerable.Range(0, 6).Select(i => Enumerable.Range(0, 20).Select(j => (float)Math.Cos(i * 0.7 + j * 1.3) * (6 - i)).ToArray()).ToArray();
        var first = TrajectoryPca.Decompose(rows, 2).Components;
        var second = TrajectoryPca.Decompose(rows, 2).Components;
        Assert.Equal(first[0], second[0]);
        Assert.Equal(first[1], second[1]);
        Assert.Throws<ArgumentException>(() => TrajectoryPca.Decompose(rows.Take(2).ToArray(), 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrajectoryPca.Decompose(rows, 6));
    }

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}]: expected {expected[i]}, got {actual[i]} (tolerance {tolerance})");
    }
}
