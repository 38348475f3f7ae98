using ScottPlot;

namespace LossLandscape.Plotting;

/// <summary>
/// Lays out the paper's 1D figure: loss on the left axis, accuracy on the right, train solid and test dashed.
/// </summary>
internal static class CurvePlotBuilder
{
    private static readonly Color LossColor = Color.FromHex("#1f77b4");
    private static readonly Color AccuracyColor = Color.FromHex("#d62728");
    private static readonly Color MarkColor = Color.FromHex("#808080");

    public static Plot Build(CurvePlotData data, CurvePlotOptions options)
    {
        var plot = new Plot();
        IYAxis lossAxis = plot.Axes.Left;
        IYAxis accuracyAxis = plot.Axes.Right;
        bool bothSplits = data.TestLoss is not null || data.TestAccuracy is not null;
        // Under the mean lines, so the band and the draws never hide them.
        if (data.TrainLossSpread is { } trainSpread)
            AddSpread(plot, data.X, trainSpread, options.LogLoss, lossAxis, LinePattern.Solid, bothSplits ? "train" : null);
        if (data.TestLossSpread is { } testSpread)
            AddSpread(plot, data.X, testSpread, options.LogLoss, lossAxis, LinePattern.Dashed, "test");

        var mean = data.TrainLossSpread is null ? "" : "mean ";
        AddSeries(plot, data.X, ToLossAxis(data.TrainLoss, options.LogLoss), lossAxis, LossColor, LinePattern.Solid,
            bothSplits ? $"{mean}train loss" : $"{mean}loss");
        if (data.TestLoss is not null)
            AddSeries(plot, data.X, ToLossAxis(data.TestLoss, options.LogLoss), lossAxis, LossColor, LinePattern.Dashed, $"{(data.TestLossSpread is null ? "" : "mean ")}test loss");
        if (data.TrainAccuracy is not null)
            AddSeries(plot, data.X, data.TrainAccuracy, accuracyAxis, AccuracyColor, LinePattern.Solid,
                bothSplits ? "train accuracy" : "accuracy");
        if (data.TestAccuracy is not null)
            AddSeries(plot, data.X, data.TestAccuracy, accuracyAxis, AccuracyColor, LinePattern.Dashed, "test accuracy");

        foreach (double mark in options.MarkX ?? [])
        {
            var line = plot.Add.VerticalLine(mark, 1, MarkColor, LinePattern.Dotted);
            line.Axes.YAxis = lossAxis;
        }

        plot.Axes.SetLimitsX(data.X[0], data.X[^1]);
        SetLossLimits(plot, data, options, lossAxis);
        StyleAxis(lossAxis, options.LossLabel, LossColor);
        if (data.TrainAccuracy is not null || data.TestAccuracy is not null)
        {
            plot.Axes.SetLimitsY(0, 100, accuracyAxis);
            StyleAxis(accuracyAxis, options.AccuracyLabel, AccuracyColor);
        }
        else
        {
            accuracyAxis.IsVisible = false;
        }

        plot.XLabel(options.XLabel);
        if (options.Title is not null)
            plot.Title(options.Title);
        // Below the axes, so the legend can never hide part of a curve.
        plot.ShowLegend(Edge.Bottom);
        plot.Font.Set(EmbeddedFonts.FamilyName);
        return plot;
    }

    /// <summary>The band as one filled piece per run of finite edges, then each draw thin and faint; one legend entry each.</summary>
    private static void AddSpread(Plot plot, double[] x, CurveSpread spread, bool logScale, IYAxis axis, LinePattern pattern, string? split)
    {
        // A mean − sd at or below zero has no place on a log axis: the band then reaches down to the lowest draw there.
        var lower = ToLossAxis(logScale ? spread.Lower.Select((v, i) => v > 0 ? v : LowestPositive(spread.Draws, i)).ToArray() : spread.Lower, logScale);
        var upper = ToLossAxis(spread.Upper, logScale);
        var legendGiven = false;
        var striped = pattern.Equals(LinePattern.Dashed);
        foreach (var (start, end) in FiniteRuns(i => double.IsFinite(lower[i]) && double.IsFinite(upper[i]), x.Length))
        {
            var band = plot.Add.FillY(x[start..end], lower[start..end], upper[start..end]);
            band.Axes.YAxis = axis;
            band.FillColor = LossColor.WithAlpha(striped ? 0.12 : 0.22);
            // The test band is striped, so where it overlaps the train band both still read.
            if (striped)
            {
                band.FillHatch = new ScottPlot.Hatches.Striped();
                band.FillHatchColor = LossColor.WithAlpha(0.7);
            }
            band.LineWidth = 0;
            if (!legendGiven)
            {
                band.LegendText = split is null ? spread.BandLabel : $"{split} {spread.BandLabel}";
                legendGiven = true;
            }
        }
        var drawLegendGiven = false;
        foreach (var draw in spread.Draws)
        {
            var y = ToLossAxis(draw, logScale);
            foreach (var (start, end) in FiniteRuns(i => double.IsFinite(y[i]), x.Length))
            {
                var line = plot.Add.Scatter(x[start..end], y[start..end], LossColor.WithAlpha(0.45));
                line.Axes.YAxis = axis;
                line.LineWidth = 0.8f;
                line.LinePattern = pattern;
                line.MarkerSize = 0;
                if (!drawLegendGiven)
                {
                    line.LegendText = $"{spread.Draws.Count} {(split is null ? "" : split + " ")}draws";
                    drawLegendGiven = true;
                }
            }
        }
    }

    private static double LowestPositive(IReadOnlyList<double[]> draws, int index) =>
        draws.Select(d => d[index]).Where(v => v > 0).DefaultIfEmpty(double.NaN).Min();

    /// <summary>The [start, end) runs of consecutive indices below <paramref name="length"/> where <paramref name="keep"/> holds.</summary>
    private static IEnumerable<(int Start, int End)> FiniteRuns(Func<int, bool> keep, int length)
    {
        var start = 0;
        while (start < length)
        {
            while (start < length && !keep(start)) start++;
            var end = start;
            while (end < length && keep(end)) end++;
            if (end > start) yield return (start, end);
            start = end;
        }
    }

    private static double[] ToLossAxis(double[] loss, bool logScale) =>
        logScale ? loss.Select(v => v > 0 ? Math.Log10(v) : double.NaN).ToArray() : loss;

    /// <summary>
    /// Draws each run of finite points as its own line, so a missing or diverged point leaves a gap
    /// instead of a spike; only the first piece carries the legend entry.
    /// </summary>
    private static void AddSeries(
        Plot plot, double[] x, double[] y, IYAxis axis, Color color, LinePattern pattern, string legendText)
    {
        bool legendGiven = false;
        int start = 0;
        while (start < y.Length)
        {
            while (start < y.Length && !double.IsFinite(y[start]))
                start++;
            int end = start;
            while (end < y.Length && double.IsFinite(y[end]))
                end++;
            if (end > start)
            {
                var piece = plot.Add.Scatter(x[start..end], y[start..end], color);
                piece.Axes.YAxis = axis;
                piece.LineWidth = 2;
                piece.LinePattern = pattern;
                // A lone finite point between gaps would be invisible as a line of length zero.
                piece.MarkerSize = end - start == 1 ? 5 : 0;
                if (!legendGiven)
                {
                    piece.LegendText = legendText;
                    legendGiven = true;
                }
            }
            start = end;
        }
    }

    private static void SetLossLimits(Plot plot, CurvePlotData data, CurvePlotOptions options, IYAxis lossAxis)
    {
        double[] finite = new[] { data.TrainLoss, data.TestLoss, data.TrainLossSpread?.Lower, data.TrainLossSpread?.Upper, data.TestLossSpread?.Lower, data.TestLossSpread?.Upper }
            .Concat(data.TrainLossSpread?.Draws ?? []).Concat(data.TestLossSpread?.Draws ?? [])
            .Where(series => series is not null)
            .SelectMany(series => ToLossAxis(series!, options.LogLoss))
            .Where(double.IsFinite)
            .ToArray();
        double low = finite.Length > 0 ? finite.Min() : 0;
        double high = finite.Length > 0 ? finite.Max() : 1;
        if (high - low < 1e-12)
        {
            low -= 0.5;
            high += 0.5;
        }
        double margin = (high - low) * 0.05;
        low = options.LossMin is { } min ? ToLossAxis([min], options.LogLoss)[0] : low - margin;
        high = options.LossMax is { } max ? ToLossAxis([max], options.LogLoss)[0] : high + margin;
        // Only one end was given and it lies beyond the data's other end: keep the axis upright.
        if (!(low < high))
        {
            if (options.LossMax is null) high = low + 1;
            else low = high - 1;
        }
        plot.Axes.SetLimitsY(low, high, lossAxis);
        if (options.LogLoss)
            lossAxis.TickGenerator = LogTicks.Create(low, high);
    }

    private static void StyleAxis(IYAxis axis, string label, Color color)
    {
        axis.Label.Text = label;
        axis.Label.ForeColor = color;
        axis.TickLabelStyle.ForeColor = color;
    }
}
