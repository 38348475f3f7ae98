namespace LossLandscape.Plotting.Tests;

public sealed class InputValidationTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Theory]
    [InlineData("bowl.jpg", "extension")]
    [InlineData("bowl", "extension")]
    public void Unsupported_extension_is_rejected(string name, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => LandscapePlotter.PlotContour(Surfaces.Bowl(), folder.File(name)));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Surface_checks_name_the_problem()
    {
        SurfacePlotData bowl = Surfaces.Bowl();
        AssertContourRejected(bowl with { Values = new double[20, 21] }, null, "[y, x]");
        AssertContourRejected(bowl with { X = [0.0] , Values = new double[21, 1] }, null, "at least 2 points");
        AssertContourRejected(bowl with { Y = bowl.Y.Reverse().ToArray() }, null, "ascending");
        AssertContourRejected(bowl, new ContourPlotOptions { Min = 5, Max = 1 }, "less than Max");
        AssertContourRejected(bowl, new ContourPlotOptions { LevelStep = 0 }, "LevelStep");
        AssertContourRejected(bowl, new ContourPlotOptions { LevelStep = 0.01 }, "at most 200");
        AssertContourRejected(bowl, new ContourPlotOptions { Min = 0, LogColor = true }, "LogColor");
        AssertContourRejected(bowl with { Path = new PathOverlay([0, 1], [0]) }, null, "Path");
        double[] uneven = [-1, -0.5, 0.5, 1];
        AssertContourRejected(new SurfacePlotData(uneven, uneven, new double[4, 4]),
            new ContourPlotOptions { Style = ContourStyle.Filled }, "evenly spaced");
    }

    [Fact]
    public void Curve_checks_name_the_problem()
    {
        CurvePlotData parabola = Surfaces.Parabola(withTest: true);
        AssertCurveRejected(parabola with { TrainLoss = [1, 2] }, null, "TrainLoss has 2 values");
        AssertCurveRejected(parabola with { TestAccuracy = [1] }, null, "TestAccuracy");
        AssertCurveRejected(new CurvePlotData([1.0], [1.0]), null, "at least 2 points");
        AssertCurveRejected(new CurvePlotData([0.0, 0.0], [1.0, 2.0]), null, "ascending");
        AssertCurveRejected(parabola, new CurvePlotOptions { LossMin = 2, LossMax = 1 }, "LossMin");
        AssertCurveRejected(parabola, new CurvePlotOptions { Width = 10 }, "image size");
    }

    [Fact]
    public void A_rejected_plot_writes_nothing()
    {
        string target = folder.File(Path.Combine("never", "made.png"));
        Assert.Throws<ArgumentException>(() =>
            LandscapePlotter.PlotContour(Surfaces.Bowl(), target, new ContourPlotOptions { LevelStep = -1 }));
        Assert.False(Directory.Exists(Path.GetDirectoryName(target)));
    }

    private void AssertContourRejected(SurfacePlotData data, ContourPlotOptions? options, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => LandscapePlotter.PlotContour(data, folder.File("x.png"), options));
        Assert.Contains(expected, error.Message);
    }

    private void AssertCurveRejected(CurvePlotData data, CurvePlotOptions? options, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => LandscapePlotter.PlotCurve(data, folder.File("x.png"), options));
        Assert.Contains(expected, error.Message);
    }
}
