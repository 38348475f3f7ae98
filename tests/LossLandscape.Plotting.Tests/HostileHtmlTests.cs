using System.Net;
using System.Text.RegularExpressions;

namespace LossLandscape.Plotting.Tests;

/// <summary>
/// Titles and labels reach the HTML page from -Title and from surface files shared by others (the
/// default title holds the file's free-text architecture): none of them may run script in the reader's
/// browser. Each payload tries to set <c>document.body.dataset.pwned</c>, which the DOM would show.
/// </summary>
public sealed class HostileHtmlTests : IDisposable
{
    private const string Marker = "data-pwned";

    private static readonly string[] Payloads =
    [
        "</script><script>document.body.dataset.pwned=1</script>",
        "</SCRIPT ><script>document.body.dataset.pwned=1//",
        "<img src=x onerror=\"document.body.dataset.pwned=1\">",
        "</title><img src=x onerror=document.body.dataset.pwned=1>",
        "\"}]};document.body.dataset.pwned=1;//",
        "'); document.body.dataset.pwned=1; ('",
        "\u2028document.body.dataset.pwned=1;\u2029//",
        "<!--<script>",
        "<svg><script>document.body.dataset.pwned=1</script></svg>",
        "&lt;script&gt;document.body.dataset.pwned=1&lt;/script&gt;",
    ];

    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>A bowl from −2 to 2, drawn with a z range that gives the colour bar negative ticks.</summary>
    private static SurfacePlotData Bowl(string valueLabel) =>
        Surfaces.Grid((x, y) => 4 * (x * x + y * y) - 2, count: 9) with { ValueLabel = valueLabel };

    private static readonly SurfaceHtmlOptions SignedRange = new() { ZMin = -2, ZMax = 2 };

    [Fact]
    public void Every_string_is_escaped_and_the_charset_comes_first()
    {
        string title = string.Concat(Payloads);
        string html = File.ReadAllText(LandscapePlotter.WriteSurfaceHtml(Bowl(Payloads[0]), folder.File("hostile.html"),
            SignedRange with { Title = title, XLabel = Payloads[1], YLabel = Payloads[2], ZLabel = Payloads[3] }));

        Assert.StartsWith("<!DOCTYPE html>\n<html><head><meta charset=\"UTF-8\">", html, StringComparison.Ordinal);
        // Only our two blocks: plotly.js, then the figure; no payload opened or closed one.
        Assert.Equal(2, Regex.Matches(html, "<script", RegexOptions.IgnoreCase).Count);
        Assert.Equal(2, Regex.Matches(html, "</script", RegexOptions.IgnoreCase).Count);
        Match figure = Regex.Match(html, @"<script type=""text/javascript"">\n(?<code>    var data = .*?)</script>", RegexOptions.Singleline);
        Assert.True(figure.Success);
        Assert.DoesNotMatch(@"[<>&\u2028\u2029]", figure.Groups["code"].Value);
        Assert.Contains("\\u003C/script\\u003E", figure.Groups["code"].Value);
        Assert.Contains("\\u2028", figure.Groups["code"].Value);
        Match titleElement = Regex.Match(html, "<title>(?<text>.*?)</title>", RegexOptions.Singleline);
        Assert.DoesNotMatch("[<>]", titleElement.Groups["text"].Value);
        Assert.Equal(title, WebUtility.HtmlDecode(titleElement.Groups["text"].Value));
    }

    [Fact(DisplayName = "Hostile titles and labels run no script in a browser (needs chromium at /usr/bin/chromium: .ci/run installs it)")]
    public void Hostile_titles_and_labels_run_no_script_in_a_browser()
    {
        Assert.True(ChromiumScreenshot.IsAvailable, $"{ChromiumScreenshot.BinaryPath} is missing: a security test does not skip; install chromium.");
        string title = string.Concat(Payloads);
        // One page, for Chromium's start-up time: the title as -Title gives it, the value label (the colour
        // bar's and z axis's title) as a default built from a file's metadata would, and hostile axis labels.
        string page = LandscapePlotter.WriteSurfaceHtml(Bowl(string.Concat(Enumerable.Reverse(Payloads))), folder.File("hostile.html"),
            SignedRange with { Title = title, XLabel = Payloads[0], YLabel = Payloads[2] });

        string dom = ChromiumScreenshot.DumpDom(page, folder.File("chromium-profile"), 800, 600);

        Assert.DoesNotContain(Marker, dom);
        Assert.DoesNotContain("<img", dom);
        // plotly.js ran and drew its SVG layers; the colour bar's ticks are SVG text.
        Assert.Contains("class=\"main-svg\"", dom);
        Assert.Matches("<text[^>]*>[−-]1</text>", dom);
        Assert.DoesNotContain("â", dom);
        Match titleElement = Regex.Match(dom, "<title>(?<text>.*?)</title>", RegexOptions.Singleline);
        Assert.Equal(title, WebUtility.HtmlDecode(titleElement.Groups["text"].Value));
    }
}
