using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.FSharp.Core;
using Plotly.NET;
using Plotly.NET.LayoutObjects;

namespace LossLandscape.Plotting;

/// <summary>
/// Builds a self-contained HTML page with an interactive (rotate, zoom, hover) 3D surface drawn by
/// plotly.js through Plotly.NET. The whole plotly.js library is inlined, so the page works offline.
/// </summary>
/// <remarks>
/// Plotly.NET's F# optional parameters are all required when called from C#, so the trace and the
/// axes are set by their plotly.js attribute names on Plotly.NET's dynamic objects instead of through
/// its style functions with dozens of null arguments. Plotly.NET only builds the figure; the page around
/// it is this class's, so that nothing from a title or a file can run as script.
/// </remarks>
internal static class SurfaceHtmlBuilder
{
    /// <summary>
    /// Escapes every character outside ASCII and every one HTML gives a meaning (&lt;, &gt;, &amp;, quotes):
    /// a title like <c>&lt;/script&gt;</c> then cannot end the script block, and U+2028/U+2029 cannot
    /// end a line inside a string literal for older JavaScript parsers.
    /// </summary>
    private static readonly JsonSerializerOptions ScriptSafeJson = new() { Encoder = JavaScriptEncoder.Default };

    private const string PlotElementId = "landscape-plot";

    public static string Build(SurfacePlotData data, SurfaceHtmlOptions options)
    {
        string title = options.Title ?? data.ValueLabel;
        GenericChart chart = GenericChart.ofTraceObject(true, BuildSurface(data, options));
        chart = Chart.withScene(BuildScene(data, options), Id: null).Invoke(chart);
        chart = Chart.withTitle(title, TitleFont: null).Invoke(chart);
        chart = Chart.withSize((double)options.Width, options.Height).Invoke(chart);
        JsonNode figure = JsonNode.Parse(GenericChart.toJson(chart))
            ?? throw new InvalidOperationException("Plotly.NET serialised the chart as JSON null.");

        // The page is written here rather than by Plotly.NET, whose template puts the 3.6 MB library
        // before <meta charset> (browsers then guess the encoding: "−" shows as mojibake) and inserts
        // the titles without escaping them for the script block they land in.
        var page = new StringBuilder();
        page.Append("<!DOCTYPE html>\n<html><head><meta charset=\"UTF-8\">\n");
        page.Append("<title>").Append(WebUtility.HtmlEncode(title)).Append("</title>\n");
        page.Append("<script type=\"text/javascript\">").Append(PlotlyLibrary.Value).Append("</script>\n");
        page.Append("</head><body><div id=\"").Append(PlotElementId).Append("\"></div>\n");
        page.Append("<script type=\"text/javascript\">\n");
        page.Append("    var data = ").Append(ScriptSafe(figure, "data")).Append(";\n");
        page.Append("    var layout = ").Append(ScriptSafe(figure, "layout")).Append(";\n");
        page.Append("    var config = ").Append(ScriptSafe(figure, "config")).Append(";\n");
        page.Append("    Plotly.newPlot('").Append(PlotElementId).Append("', data, layout, config);\n");
        page.Append("</script></body></html>\n");
        return page.ToString();
    }

    private static string ScriptSafe(JsonNode figure, string part) =>
        (figure[part] ?? throw new InvalidOperationException($"Plotly.NET's figure has no {part}.")).ToJsonString(ScriptSafeJson);

    /// <summary>
    /// The minified plotly.js that Plotly.NET carries as a resource, whatever its version. Inlined verbatim:
    /// the tests check that it holds no <c>&lt;/script</c> that would end its block early.
    /// </summary>
    private static readonly Lazy<string> PlotlyLibrary = new(() =>
    {
        Assembly plotlyNet = typeof(GenericChart).Assembly;
        string name = plotlyNet.GetManifestResourceNames().Single(resource => resource.EndsWith(".min.js", StringComparison.Ordinal));
        using var reader = new StreamReader(plotlyNet.GetManifestResourceStream(name)!, Encoding.UTF8);
        return reader.ReadToEnd();
    });

    private static Trace3D BuildSurface(SurfacePlotData data, SurfaceHtmlOptions options)
    {
        int rows = data.Y.Length, columns = data.X.Length;
        // Nullable cells serialise as JSON null, which plotly.js leaves as a gap; NaN would not.
        var z = new double?[rows][];
        for (int i = 0; i < rows; i++)
        {
            z[i] = new double?[columns];
            for (int j = 0; j < columns; j++)
            {
                double value = data.Values[i, j];
                z[i][j] = double.IsNaN(value) ? null : Math.Clamp(value, options.ZMin, options.ZMax);
            }
        }

        Trace3D surface = Trace3D.initSurface(FuncConvert.FromFunc<Trace3D, Trace3D>(trace => trace));
        surface.SetProperty("x", data.X);
        surface.SetProperty("y", data.Y);
        surface.SetProperty("z", z);
        surface.SetProperty("name", data.ValueLabel);
        var colorBar = new DynamicObj.DynamicObj();
        colorBar.SetProperty("title", new Dictionary<string, string> { ["text"] = options.ZLabel ?? data.ValueLabel });
        if (options.LogZ)
        {
            // plotly.js colours by linear z; colouring by log10 spreads the colours over the decades the axis shows.
            surface.SetProperty("surfacecolor", z.Select(row => row.Select(value => value is { } v ? Math.Log10(v) : (double?)null).ToArray()).ToArray());
            surface.SetProperty("cmin", Math.Log10(options.ZMin));
            surface.SetProperty("cmax", Math.Log10(options.ZMax));
            int firstDecade = (int)Math.Ceiling(Math.Log10(options.ZMin));
            int lastDecade = (int)Math.Floor(Math.Log10(options.ZMax));
            // Without a power of ten inside the range, plotly.js's own (log10) ticks are kept.
            if (lastDecade >= firstDecade)
            {
                double[] decades = Enumerable.Range(firstDecade, lastDecade - firstDecade + 1).Select(exponent => (double)exponent).ToArray();
                colorBar.SetProperty("tickvals", decades);
                colorBar.SetProperty("ticktext", decades.Select(exponent => Math.Pow(10, exponent).ToString("G4", CultureInfo.InvariantCulture)).ToArray());
            }
        }
        else
        {
            surface.SetProperty("cmin", options.ZMin);
            surface.SetProperty("cmax", options.ZMax);
        }
        surface.SetProperty("colorbar", colorBar);
        return surface;
    }

    private static Scene BuildScene(SurfacePlotData data, SurfaceHtmlOptions options)
    {
        var scene = new Scene();
        scene.SetProperty("xaxis", Axis(options.XLabel));
        scene.SetProperty("yaxis", Axis(options.YLabel));
        LinearAxis zAxis = Axis(options.ZLabel ?? data.ValueLabel);
        if (options.LogZ)
        {
            // A log axis takes its range in decades (log10 units), not in values.
            zAxis.SetProperty("type", "log");
            zAxis.SetProperty("range", new[] { Math.Log10(options.ZMin), Math.Log10(options.ZMax) });
        }
        else
        {
            zAxis.SetProperty("range", new[] { options.ZMin, options.ZMax });
        }
        scene.SetProperty("zaxis", zAxis);
        return scene;
    }

    private static LinearAxis Axis(string title)
    {
        var axis = new LinearAxis();
        axis.SetProperty("title", new Dictionary<string, string> { ["text"] = title });
        return axis;
    }
}
