using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using SkiaSharp;

namespace LossLandscape.Plotting.Tests;

public sealed class SurfaceHtmlTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>A loss-like bowl, 0.05 at the origin, with one diverged and one missing point.</summary>
    private static SurfacePlotData BowlWithGaps()
    {
        SurfacePlotData bowl = Surfaces.Grid((x, y) => 0.05 + 3 * (x * x + y * y), count: 11);
        bowl.Values[1, 2] = double.NaN;
        bowl.Values[9, 8] = double.PositiveInfinity;
        return bowl;
    }

    [Fact]
    public void The_page_carries_plotly_js_inline()
    {
        string html = File.ReadAllText(LandscapePlotter.WriteSurfaceHtml(BowlWithGaps(), folder.File("bowl.html")));

        Match library = Regex.Match(html, @"<script[^>]*>(?<code>.*?)</script>", RegexOptions.Singleline);
        Assert.True(library.Success);
        Assert.DoesNotContain("src", library.Value[..library.Value.IndexOf('>')]);
        Assert.Matches(@"plotly\.js v\d+\.\d+\.\d+", library.Groups["code"].Value);
        Assert.True(library.Groups["code"].Length > 1_000_000, $"the inline library is only {library.Groups["code"].Length} characters");
        Assert.Contains("Plotly.newPlot(", html);
    }

    [Fact]
    public void The_page_references_no_external_url()
    {
        string html = File.ReadAllText(LandscapePlotter.WriteSurfaceHtml(BowlWithGaps(), folder.File("bowl.html")));

        // plotly.js itself holds URLs in strings (map tiles, links it builds on demand); only the markup around it loads anything.
        string markup = Regex.Replace(html, @"(<script[^>]*>).*?(</script>)", "$1$2", RegexOptions.Singleline);
        Assert.True(markup.Length < 10_000, "the markup outside the scripts should be a short page");
        Assert.DoesNotMatch(@"<script[^>]*\bsrc\s*=", markup);
        MatchCollection references = Regex.Matches(markup, @"\b(?:src|href)\s*=\s*[""']?(?<url>[^""'\s>]*)", RegexOptions.IgnoreCase);
        Assert.All(references, reference =>
        {
            Assert.DoesNotContain("http://", reference.Groups["url"].Value);
            Assert.DoesNotContain("https://", reference.Groups["url"].Value);
        });
        Assert.DoesNotMatch(@"@import|url\(\s*[""']?https?:", markup);
    }

    [Fact]
    public void The_data_is_clipped_and_missing_points_are_null()
    {
        SurfacePlotData bowl = BowlWithGaps();
        bowl.Values[5, 0] = 0.01;
        string html = File.ReadAllText(LandscapePlotter.WriteSurfaceHtml(bowl, folder.File("bowl.html"),
            new SurfaceHtmlOptions { ZMin = 0.1, ZMax = 2 }));

        JsonElement trace = ChartData(html);
        Assert.Equal("surface", trace.GetProperty("type").GetString());
        Assert.Equal(bowl.X, trace.GetProperty("x").EnumerateArray().Select(value => value.GetDouble()));
        Assert.Equal(bowl.Y, trace.GetProperty("y").EnumerateArray().Select(value => value.GetDouble()));
        JsonElement[][] z = trace.GetProperty("z").EnumerateArray().Select(row => row.EnumerateArray().ToArray()).ToArray();
        Assert.Equal(bowl.Y.Length, z.Length);
        for (int i = 0; i < z.Length; i++)
        {
            Assert.Equal(bowl.X.Length, z[i].Length);
            for (int j = 0; j < z[i].Length; j++)
            {
                if (double.IsNaN(bowl.Values[i, j]))
                    Assert.Equal(JsonValueKind.Null, z[i][j].ValueKind);
                else
                    Assert.Equal(Math.Clamp(bowl.Values[i, j], 0.1, 2), z[i][j].GetDouble(), 12);
            }
        }
        Assert.Equal(JsonValueKind.Null, z[1][2].ValueKind);
        Assert.Equal(2, z[9][8].GetDouble());
        Assert.Equal(0.1, z[5][0].GetDouble());
        Assert.Equal(0.05 + 3 * (0.2 * 0.2 + 0.4 * 0.4), z[7][6].GetDouble(), 12);
        Assert.Contains(",null,", html);
    }

    [Fact]
    public void Axes_are_titled_and_the_z_range_is_the_clip_range()
    {
        string html = File.ReadAllText(LandscapePlotter.WriteSurfaceHtml(BowlWithGaps(), folder.File("bowl.html")));

        JsonElement scene = ChartLayout(html).GetProperty("scene");
        Assert.Equal("α", scene.GetProperty("xaxis").GetProperty("title").GetProperty("text").GetString());
        Assert.Equal("β", scene.GetProperty("yaxis").GetProperty("title").GetProperty("text").GetString());
        JsonElement zAxis = scene.GetProperty("zaxis");
        Assert.Equal("loss", zAxis.GetProperty("title").GetProperty("text").GetString());
        Assert.Equal([0.1, 10], zAxis.GetProperty("range").EnumerateArray().Select(value => value.GetDouble()));
        Assert.Equal("loss", ChartLayout(html).GetProperty("title").GetProperty("text").GetString());
        Assert.Contains("<title>loss</title>", html);
    }

    [Fact]
    public void Log_z_gives_a_log_axis_ranged_in_decades()
    {
        string html = File.ReadAllText(LandscapePlotter.WriteSurfaceHtml(BowlWithGaps(), folder.File("bowl.html"),
            new SurfaceHtmlOptions { LogZ = true, ZMin = 0.01, ZMax = 100, Title = "train loss, log" }));

        JsonElement zAxis = ChartLayout(html).GetProperty("scene").GetProperty("zaxis");
        Assert.Equal("log", zAxis.GetProperty("type").GetString());
        Assert.Equal([-2.0, 2.0], zAxis.GetProperty("range").EnumerateArray().Select(value => value.GetDouble()));
        JsonElement trace = ChartData(html);
        Assert.Equal(-2, trace.GetProperty("cmin").GetDouble(), 12);
        Assert.Equal(Math.Log10(0.05), trace.GetProperty("surfacecolor")[5][5].GetDouble(), 12);
        Assert.Equal("train loss, log", ChartLayout(html).GetProperty("title").GetProperty("text").GetString());
    }

    [Fact]
    public void Invalid_input_is_rejected_before_writing()
    {
        SurfacePlotData bowl = BowlWithGaps();
        string target = folder.File(Path.Combine("never", "bowl.html"));
        Assert.Throws<ArgumentException>(() => LandscapePlotter.WriteSurfaceHtml(bowl with { Values = new double[3, 11] }, target));
        Assert.Throws<ArgumentException>(() => LandscapePlotter.WriteSurfaceHtml(bowl with { X = bowl.X.Reverse().ToArray() }, target));
        Assert.Throws<ArgumentException>(() => LandscapePlotter.WriteSurfaceHtml(bowl, target, new SurfaceHtmlOptions { ZMin = 5, ZMax = 1 }));
        Assert.Throws<ArgumentException>(() => LandscapePlotter.WriteSurfaceHtml(bowl, target, new SurfaceHtmlOptions { ZMax = double.PositiveInfinity }));
        var log = Assert.Throws<ArgumentException>(() => LandscapePlotter.WriteSurfaceHtml(bowl, target, new SurfaceHtmlOptions { LogZ = true, ZMin = 0 }));
        Assert.Contains("LogZ", log.Message);
        Assert.Throws<ArgumentException>(() => LandscapePlotter.WriteSurfaceHtml(bowl, target, new SurfaceHtmlOptions { Width = 10 }));
        var extension = Assert.Throws<ArgumentException>(() => LandscapePlotter.WriteSurfaceHtml(bowl, folder.File(Path.Combine("never", "bowl.png"))));
        Assert.Contains("extension", extension.Message);
        Assert.Throws<ArgumentException>(() => LandscapePlotter.WriteSurfaceHtml(bowl, " "));
        Assert.False(Directory.Exists(Path.GetDirectoryName(target)));
    }

    [Fact]
    public void Writing_leaves_no_temporary_file()
    {
        LandscapePlotter.WriteSurfaceHtml(BowlWithGaps(), folder.File("bowl.html"));
        LandscapePlotter.WriteSurfaceHtml(BowlWithGaps(), folder.File("bowl.html"));
        Assert.Equal(["bowl.html"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    [Fact(DisplayName = "A browser draws the surface offline (requires chromium at /usr/bin/chromium; passes without running when absent)")]
    public void A_browser_draws_the_surface()
    {
        if (!ChromiumScreenshot.IsAvailable)
            return;
        string html = LandscapePlotter.WriteSurfaceHtml(BowlWithGaps(), folder.File("bowl.html"));
        string png = folder.File("bowl.png");

        var clock = Stopwatch.StartNew();
        ChromiumScreenshot.Capture(html, png, folder.File("chromium-profile"), 800, 600);
        clock.Stop();

        using SKBitmap screenshot = SKBitmap.Decode(png) ?? throw new InvalidOperationException($"{png} is not a PNG.");
        Assert.Equal(800, screenshot.Width);
        int notWhite = 0, colouredInScene = 0;
        for (int y = 0; y < screenshot.Height; y++)
        {
            for (int x = 0; x < screenshot.Width; x++)
            {
                SKColor pixel = screenshot.GetPixel(x, y);
                if (PixelProbe.Distance(pixel, SKColors.White) > 30)
                    notWhite++;
                // The colour bar sits at the right; saturated colour left of it can only be the WebGL surface.
                if (x < screenshot.Width * 0.6 && Saturation(pixel) > 80)
                    colouredInScene++;
            }
        }
        int total = screenshot.Width * screenshot.Height;
        Assert.True(notWhite > total / 10, $"only {notWhite} of {total} pixels differ from white: the page drew nothing");
        Assert.True(colouredInScene > total / 50, $"only {colouredInScene} coloured pixels in the scene: the surface was not drawn (after {clock.Elapsed.TotalSeconds:F1} s)");
    }

    private static int Saturation(SKColor pixel) =>
        Math.Max(pixel.Red, Math.Max(pixel.Green, pixel.Blue)) - Math.Min(pixel.Red, Math.Min(pixel.Green, pixel.Blue));

    private static JsonElement ChartData(string html) =>
        JsonDocument.Parse(Regex.Match(html, @"var data = (?<json>\[.*?\]);\r?\n").Groups["json"].Value).RootElement[0];

    private static JsonElement ChartLayout(string html) =>
        JsonDocument.Parse(Regex.Match(html, @"var layout = (?<json>\{.*?\});\r?\n").Groups["json"].Value).RootElement;
}
