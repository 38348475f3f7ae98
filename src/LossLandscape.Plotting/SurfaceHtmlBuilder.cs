using System.Globalization;
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
/// its style functions with dozens of null arguments.
/// </remarks>
internal static class SurfaceHtmlBuilder
{
    public static string Build(SurfacePlotData data, SurfaceHtmlOptions options)
    {
        string title = options.Title ?? data.ValueLabel;
        GenericChart chart = GenericChart.ofTraceObject(true, BuildSurface(data, options));
        chart = Chart.withScene(BuildScene(data, options), Id: null).Invoke(chart);
        chart = Chart.withTitle(title, TitleFont: null).Invoke(chart);
        chart = Chart.withSize((double)options.Width, options.Height).Invoke(chart);
        chart = Chart.withDisplayOptions(DisplayOptions.init(
            DocumentTitle: title,
            DocumentCharset: null,
            DocumentDescription: null,
            DocumentFavicon: null,
            AdditionalHeadTags: null,
            ChartDescription: null,
            PlotlyJSReference: PlotlyJSReference.Full)).Invoke(chart);
        return GenericChart.toEmbeddedHTML(chart);
    }

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
