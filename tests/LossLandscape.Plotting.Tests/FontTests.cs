namespace LossLandscape.Plotting.Tests;

public sealed class FontTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void The_shipped_font_is_the_first_resolver_and_the_default()
    {
        LandscapePlotter.PlotCurve(Surfaces.Parabola(withTest: false), folder.File("font.png"));

        Assert.Equal("DejaVu Sans", LandscapePlotter.FontFamily);
        Assert.Equal(LandscapePlotter.FontFamily, ScottPlot.Fonts.Default);
        Assert.IsType<EmbeddedFontResolver>(ScottPlot.Fonts.FontResolvers[0]);
    }

    [Fact]
    public void The_resolver_serves_the_embedded_faces_with_the_glyphs_the_labels_need()
    {
        var resolver = new EmbeddedFontResolver();

        using var regular = resolver.CreateTypeface(LandscapePlotter.FontFamily, bold: false, italic: false);
        using var bold = resolver.CreateTypeface(LandscapePlotter.FontFamily, bold: true, italic: false);

        Assert.NotNull(regular);
        Assert.NotNull(bold);
        Assert.Equal("DejaVu Sans", regular.FamilyName);
        Assert.True(bold.IsBold);
        Assert.False(regular.IsBold);
        Assert.True(regular.ContainsGlyphs("αβ%0123456789"));
        Assert.Null(resolver.CreateTypeface("Some Other Font", bold: false, italic: false));
    }

    [Fact]
    public void Every_text_of_an_svg_names_the_shipped_font()
    {
        string svg = File.ReadAllText(LandscapePlotter.PlotCurve(
            Surfaces.Parabola(withTest: true), folder.File("font.svg"), new CurvePlotOptions { Title = "t" }).Path);

        var families = System.Text.RegularExpressions.Regex.Matches(svg, "font-family=\"([^\"]*)\"")
            .Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Equal([LandscapePlotter.FontFamily], families);
    }
}
