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
        AssertContourRejected(bowl, new ContourPlotOptions { Min = 0, LogLevels = true }, "LogLevels");
        AssertContourRejected(bowl with { Path = new PathOverlay([0, 1], [0]) }, null, "Path");
        double[] uneven = [-1, -0.5, 0.5, 1];
        AssertContourRejected(new SurfacePlotData(uneven, uneven, new double[4, 4]),
            new ContourPlotOptions { Style = ContourStyle.Filled }, "evenly spaced");
    }

    [Fact]
    public void Surface3D_checks_name_the_problem()
    {
        SurfacePlotData bowl = Surfaces.Bowl();
        AssertRejected(() => LandscapePlotter.PlotSurface3D(bowl with { Values = new double[21, 20] }, folder.File("x.png")), "[y, x]");
        AssertRejected(() => LandscapePlotter.PlotSurface3D(bowl, folder.File("x.png"), new Surface3DOptions { ZMin = 10, ZMax = 1 }), "ZMin");
        AssertRejected(() => LandscapePlotter.PlotSurface3D(bowl, folder.File("x.png"), new Surface3DOptions { ZMin = 0, LogZ = true }), "LogZ");
        AssertRejected(() => LandscapePlotter.PlotSurface3D(bowl, folder.File("x.png"), new Surface3DOptions { Elevation = 100 }), "Elevation");
        AssertRejected(() => LandscapePlotter.PlotSurface3D(bowl, folder.File("x.png"), new Surface3DOptions { Width = 50 }), "image size");
        AssertRejected(() => LandscapePlotter.PlotSurface3D(bowl, folder.File("x.gif")), "extension");
    }

    [Fact]
    public void Panel_checks_name_the_problem_and_the_panel()
    {
        SurfacePlotData bowl = Surfaces.Bowl();
        AssertRejected(() => LandscapePlotter.PlotPanels([], folder.File("x.png")), "at least one surface");
        AssertRejected(() => LandscapePlotter.PlotPanels([bowl], folder.File("x.png"), new PanelOptions { Columns = 0 }), "Columns");
        AssertRejected(() => LandscapePlotter.PlotPanels([bowl, bowl with { Y = bowl.Y.Reverse().ToArray() }], folder.File("x.png")), "Panel 1: Y must be strictly ascending");
        AssertRejected(() => LandscapePlotter.PlotPanels([bowl], folder.File("x.png"), new PanelOptions { Min = 0, LogColor = true }), "LogColor");
    }

    [Fact]
    public void Heatmap_checks_name_the_problem()
    {
        SurfacePlotData bowl = Surfaces.Bowl();
        double[] uneven = [-1, -0.5, 0.5, 1];
        AssertRejected(() => LandscapePlotter.PlotHeatmap(new SurfacePlotData(uneven, uneven, new double[4, 4]), folder.File("x.png")), "evenly spaced");
        AssertRejected(() => LandscapePlotter.PlotHeatmap(bowl, folder.File("x.png"), new HeatmapOptions { Min = 1, Max = 1 }), "less than Max");
        AssertRejected(() => LandscapePlotter.PlotHeatmap(bowl, folder.File("x.png"), new HeatmapOptions { Min = 0, LogColor = true }), "LogColor");
        AssertRejected(() => LandscapePlotter.PlotHeatmap(bowl, folder.File("x.png"), new HeatmapOptions { Max = double.NaN }), "Max must be finite");
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

    private static void AssertRejected(Action plot, string expected)
    {
        var error = Assert.Throws<ArgumentException>(plot);
        Assert.Contains(expected, error.Message);
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
