namespace LossLandscape.Plotting.Tests;

public sealed class ImageFileTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Missing_folders_are_created_and_no_temporary_file_is_left()
    {
        string target = folder.File(Path.Combine("a", "b", "bowl.PNG"));

        RenderedPlot rendered = LandscapePlotter.PlotContour(Surfaces.Bowl(), target);

        Assert.Equal(Path.GetFullPath(target), rendered.Path);
        Assert.Equal([rendered.Path], Directory.GetFiles(Path.GetDirectoryName(target)!));
        byte[] signature = File.ReadAllBytes(target)[..8];
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, signature);
    }

    [Fact]
    public void An_existing_image_is_replaced()
    {
        string target = folder.File("curve.svg");
        File.WriteAllText(target, "old");

        LandscapePlotter.PlotCurve(Surfaces.Parabola(withTest: false), target);

        Assert.Contains("<svg", File.ReadAllText(target));
        Assert.Single(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void The_reported_size_and_data_area_fit_the_image()
    {
        RenderedPlot rendered = LandscapePlotter.PlotContour(
            Surfaces.Bowl(), folder.File("size.png"), new ContourPlotOptions { Width = 640, Height = 480 });

        Assert.Equal((640, 480), (rendered.Width, rendered.Height));
        Assert.InRange(rendered.DataArea.Left, 1, 639);
        Assert.InRange(rendered.DataArea.Right, rendered.DataArea.Left + 100, 639);
        Assert.InRange(rendered.DataArea.Top, 1, 479);
        Assert.InRange(rendered.DataArea.Bottom, rendered.DataArea.Top + 100, 479);
        // α and β span the same range, so the data area is square.
        Assert.Equal(rendered.DataArea.Width, rendered.DataArea.Height, 1.0);
    }
}
