using System.Text.RegularExpressions;

namespace LossLandscape.Plotting.Tests;

/// <summary>Reads the texts and fonts out of a written SVG, however Skia splits a text element.</summary>
internal static class SvgText
{
    public static string[] Of(string svg) =>
        Regex.Matches(svg, @"<text[^>]*>\s*([^<]*?)\s*</text>").Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value)).ToArray();

    public static List<string> FontFamilies(string svg) =>
        Regex.Matches(svg, "font-family=\"([^\"]*)\"").Select(m => m.Groups[1].Value).Distinct().ToList();
}
