using SkiaSharp;

namespace LossLandscape.Plotting;

/// <summary>
/// Draws a surface in 3D on a Skia canvas, as matplotlib's plot_surface does for the paper's 3D
/// figures: the grid seen by an <see cref="OrthographicCamera"/> inside a box whose three far sides
/// are grey panes with grid lines, each cell a quad coloured by its height and drawn back to front
/// (painter's algorithm), the α, β and value axes with ticks, a colour bar and a title.
/// </summary>
/// <remarks>
/// The box is normalized to matplotlib's aspect 4 : 4 : 3 (α : β : value), whatever the data ranges,
/// and fitted into the free area at a fixed scale, so rotating the view never moves the box out of the image.
/// </remarks>
internal sealed class Surface3DFigure
{
    private const double HalfSide = 0.5;
    private const double HalfHeight = 0.375;
    private const float TickFontSize = 12;
    private const float LabelFontSize = 15;
    private const float TickLabelGap = 8;

    private static readonly SKColor PaneColor = new(0xF2, 0xF2, 0xF2);
    private static readonly SKColor GridColor = new(0xD6, 0xD6, 0xD6);

    private readonly SurfacePlotData data;
    private readonly Surface3DOptions options;
    private readonly ColorScale scale;
    private readonly OrthographicCamera camera;
    private readonly IReadOnlyList<(double Position, string Label)> xTicks, yTicks, zTicks;
    private float pixelsPerUnit, centerX, centerY;
    private double centerRight, centerUp;

    public Surface3DFigure(SurfacePlotData data, Surface3DOptions options)
    {
        this.data = data;
        this.options = options;
        scale = new ColorScale(options.ZMin, options.ZMax, options.LogZ);
        camera = new OrthographicCamera(options.Azimuth, options.Elevation);
        xTicks = AxisTicks.Create(data.X[0], data.X[^1], log10: false, targetCount: 5);
        yTicks = AxisTicks.Create(data.Y[0], data.Y[^1], log10: false, targetCount: 5);
        zTicks = AxisTicks.Create(scale.AxisLow, scale.AxisHigh, scale.Log, targetCount: 5);
    }

    /// <summary>Draws the whole figure and returns where the box lies in the image.</summary>
    public PixelArea Draw(SKCanvas canvas)
    {
        float colorBarLeft = options.Width - CanvasColorBar.Width - 10;
        // Margins leave room for the tick and axis labels around the box.
        PixelArea boxArea = FitBox(new SKRect(80, 60, colorBarLeft - 60, options.Height - 70));

        DrawPanes(canvas);
        DrawSurface(canvas);
        DrawAxes(canvas);
        CanvasColorBar.Draw(canvas, scale, data.ValueLabel, colorBarLeft, 70, options.Height - 70);
        CanvasText.DrawCentered(canvas, options.Title ?? data.Title ?? data.ValueLabel, options.Width / 2f, 28, 16, bold: true);
        return boxArea;
    }

    private PixelArea FitBox(SKRect free)
    {
        var corners = (from x in new[] { -HalfSide, HalfSide }
                       from y in new[] { -HalfSide, HalfSide }
                       from z in new[] { -HalfHeight, HalfHeight }
                       select camera.Project(x, y, z)).ToList();
        double left = corners.Min(c => c.Right), right = corners.Max(c => c.Right);
        double bottom = corners.Min(c => c.Up), top = corners.Max(c => c.Up);
        pixelsPerUnit = (float)Math.Min(free.Width / (right - left), free.Height / (top - bottom));
        centerRight = (left + right) / 2;
        centerUp = (bottom + top) / 2;
        centerX = free.MidX;
        centerY = free.MidY;
        SKPoint topLeft = ToPixel(left, top), bottomRight = ToPixel(right, bottom);
        return new PixelArea(topLeft.X, topLeft.Y, bottomRight.X, bottomRight.Y);
    }

    private SKPoint ToPixel(double screenRight, double screenUp) =>
        new(centerX + pixelsPerUnit * (float)(screenRight - centerRight), centerY - pixelsPerUnit * (float)(screenUp - centerUp));

    /// <summary>A point of the normalized box in image pixels.</summary>
    private SKPoint ToPixel(double x, double y, double z)
    {
        (double right, double up, _) = camera.Project(x, y, z);
        return ToPixel(right, up);
    }

    private double NormalizedX(double alpha) => (alpha - data.X[0]) / (data.X[^1] - data.X[0]) - HalfSide;

    private double NormalizedY(double beta) => (beta - data.Y[0]) / (data.Y[^1] - data.Y[0]) - HalfSide;

    private double NormalizedZ(double axisValue) => (scale.Fraction(axisValue) - 0.5) * 2 * HalfHeight;

    /// <summary>The three sides of the box away from the viewer, with grid lines at the ticks.</summary>
    private void DrawPanes(SKCanvas canvas)
    {
        double farX = -HalfSide * camera.ViewerSide(0), farY = -HalfSide * camera.ViewerSide(1), farZ = -HalfHeight * camera.ViewerSide(2);
        using var pane = new SKPaint { Color = PaneColor, Style = SKPaintStyle.Fill, IsAntialias = true };
        using var grid = new SKPaint { Color = GridColor, Style = SKPaintStyle.Stroke, StrokeWidth = 1, IsAntialias = true };

        FillQuad(canvas, pane, ToPixel(farX, -HalfSide, -HalfHeight), ToPixel(farX, HalfSide, -HalfHeight),
            ToPixel(farX, HalfSide, HalfHeight), ToPixel(farX, -HalfSide, HalfHeight));
        FillQuad(canvas, pane, ToPixel(-HalfSide, farY, -HalfHeight), ToPixel(HalfSide, farY, -HalfHeight),
            ToPixel(HalfSide, farY, HalfHeight), ToPixel(-HalfSide, farY, HalfHeight));
        FillQuad(canvas, pane, ToPixel(-HalfSide, -HalfSide, farZ), ToPixel(HalfSide, -HalfSide, farZ),
            ToPixel(HalfSide, HalfSide, farZ), ToPixel(-HalfSide, HalfSide, farZ));

        foreach ((double position, _) in xTicks)
        {
            double x = NormalizedX(position);
            canvas.DrawLine(ToPixel(x, farY, -HalfHeight), ToPixel(x, farY, HalfHeight), grid);
            canvas.DrawLine(ToPixel(x, -HalfSide, farZ), ToPixel(x, HalfSide, farZ), grid);
        }
        foreach ((double position, _) in yTicks)
        {
            double y = NormalizedY(position);
            canvas.DrawLine(ToPixel(farX, y, -HalfHeight), ToPixel(farX, y, HalfHeight), grid);
            canvas.DrawLine(ToPixel(-HalfSide, y, farZ), ToPixel(HalfSide, y, farZ), grid);
        }
        foreach ((double position, _) in zTicks)
        {
            double z = NormalizedZ(position);
            canvas.DrawLine(ToPixel(farX, -HalfSide, z), ToPixel(farX, HalfSide, z), grid);
            canvas.DrawLine(ToPixel(-HalfSide, farY, z), ToPixel(HalfSide, farY, z), grid);
        }
    }

    /// <summary>
    /// Every cell whose four corners are known, farthest first so nearer cells cover it. Values are
    /// clipped to the scale, so a diverged point makes a flat top instead of a spike out of the box.
    /// </summary>
    private void DrawSurface(SKCanvas canvas)
    {
        int rows = data.Y.Length, columns = data.X.Length;
        var heights = new double[rows, columns];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                heights[i, j] = scale.ToAxis(data.Values[i, j]);

        var cells = new List<(double Depth, double Height, SKPoint[] Corners)>();
        for (int i = 0; i < rows - 1; i++)
        {
            for (int j = 0; j < columns - 1; j++)
            {
                (int Row, int Column)[] corners = [(i, j), (i, j + 1), (i + 1, j + 1), (i + 1, j)];
                if (corners.Any(c => double.IsNaN(heights[c.Row, c.Column])))
                    continue;
                SKPoint[] pixels = corners
                    .Select(c => ToPixel(NormalizedX(data.X[c.Column]), NormalizedY(data.Y[c.Row]), NormalizedZ(heights[c.Row, c.Column])))
                    .ToArray();
                // The depth of the cell's footprint on the floor, not of the cell itself: a surface
                // over a grid can only hide what lies farther along the horizontal view direction,
                // whereas sorting by the tilted cells' own depth mixes up steep walls and the floor behind them.
                double depth = camera.Project(NormalizedX((data.X[j] + data.X[j + 1]) / 2), NormalizedY((data.Y[i] + data.Y[i + 1]) / 2), 0).Depth;
                cells.Add((depth, corners.Average(c => heights[c.Row, c.Column]), pixels));
            }
        }

        using var fill = new SKPaint { Style = SKPaintStyle.Fill, IsAntialias = true };
        // Stroking every cell, in its own colour when edges are off, also covers the hairline seams
        // antialiasing leaves between neighbouring quads.
        using var edge = new SKPaint { Style = SKPaintStyle.Stroke, StrokeWidth = options.EdgeLines ? 0.6f : 0.8f, IsAntialias = true };
        foreach (var cell in cells.OrderBy(c => c.Depth))
        {
            SKColor color = scale.ColorAtFraction(scale.Fraction(cell.Height));
            fill.Color = color;
            edge.Color = options.EdgeLines ? Darken(color) : color;
            using var path = QuadPath(cell.Corners);
            canvas.DrawPath(path, fill);
            canvas.DrawPath(path, edge);
        }
    }

    /// <summary>Where each tick label was drawn, by axis ('x', 'y', 'z'): what keeps them apart, and what tests measure.</summary>
    public List<(char Axis, string Text, SKRect Box)> TickLabels { get; } = [];

    /// <summary>
    /// The α edge and β edge of the floor nearest the viewer and the leftmost vertical edge, with ticks
    /// and labels. The value axis is drawn first: the leftmost floor corner it stands on is also an
    /// end of the α or β edge, whose label there would otherwise sit in the column of value labels,
    /// under the value axis, where it reads as one of them (an α of −1 taken for a loss of −1).
    /// </summary>
    private void DrawAxes(SKCanvas canvas)
    {
        double nearX = HalfSide * camera.ViewerSide(0), nearY = HalfSide * camera.ViewerSide(1);
        double floor = -HalfHeight;

        var floorCorners = from x in new[] { -HalfSide, HalfSide } from y in new[] { -HalfSide, HalfSide } select (X: x, Y: y);
        var leftmost = floorCorners.MinBy(c => camera.Project(c.X, c.Y, floor).Right);
        DrawAxis(canvas, 'z', zTicks, (scale.AxisLow, scale.AxisHigh), p => (leftmost.X, leftmost.Y, NormalizedZ(p)), new SKPoint(-1, 0), data.ValueLabel, -90, []);

        // The value labels' column, from the top of the axis down to a label's height below its foot.
        SKPoint foot = ToPixel(leftmost.X, leftmost.Y, floor), head = ToPixel(leftmost.X, leftmost.Y, HalfHeight);
        float columnLeft = TickLabels.Select(t => t.Box.Left).DefaultIfEmpty(foot.X - 20).Min();
        var keepOut = new List<SKRect> { new(columnLeft, head.Y - TickFontSize, foot.X + 1, foot.Y + 1.5f * TickFontSize) };

        DrawAxis(canvas, 'x', xTicks, (data.X[0], data.X[^1]), p => (NormalizedX(p), nearY, floor), Direction(0, nearY), options.XLabel, 0, keepOut);
        DrawAxis(canvas, 'y', yTicks, (data.Y[0], data.Y[^1]), p => (nearX, NormalizedY(p), floor), Direction(nearX, 0), options.YLabel, 0, keepOut);
    }

    /// <summary>The image direction in which the floor point (x, y) lies from the box's vertical centre line.</summary>
    private SKPoint Direction(double x, double y)
    {
        SKPoint from = ToPixel(0, 0, -HalfHeight), to = ToPixel(x, y, -HalfHeight);
        return new SKPoint(to.X - from.X, to.Y - from.Y);
    }

    /// <param name="keepOut">Areas no tick label may cover: a label there moves farther out until it is clear.</param>
    private void DrawAxis(SKCanvas canvas, char axis, IReadOnlyList<(double Position, string Label)> ticks, (double Low, double High) range,
        Func<double, (double X, double Y, double Z)> pointAt, SKPoint outward, string label, float labelDegrees, List<SKRect> keepOut)
    {
        float length = MathF.Sqrt(outward.X * outward.X + outward.Y * outward.Y);
        var unit = new SKPoint(outward.X / length, outward.Y / length);
        using var line = new SKPaint { Color = CanvasText.Ink, Style = SKPaintStyle.Stroke, StrokeWidth = 1, IsAntialias = true };

        SKPoint[] ends = new[] { range.Low, range.High }.Select(end => ToPixel(pointAt(end))).ToArray();
        canvas.DrawLine(ends[0], ends[1], line);

        float widest = 0;
        foreach ((double position, string text) in ticks)
        {
            SKPoint at = ToPixel(pointAt(position));
            canvas.DrawLine(at, new SKPoint(at.X + unit.X * 5, at.Y + unit.Y * 5), line);
            SKSize size = CanvasText.Measure(text, TickFontSize);
            float along = Math.Abs(unit.X) * size.Width + Math.Abs(unit.Y) * size.Height;
            float offset = TickLabelGap;
            SKRect Box() => SKRect.Create(at.X + unit.X * (offset + along / 2) - size.Width / 2, at.Y + unit.Y * (offset + along / 2) - size.Height / 2, size.Width, size.Height);
            // At most a few label heights farther: beyond that it would leave its tick behind.
            while (keepOut.Any(area => area.IntersectsWith(Box())) && offset < TickLabelGap + 4 * TickFontSize)
                offset += 1;
            SKRect box = Box();
            CanvasText.DrawCentered(canvas, text, box.MidX, box.MidY, TickFontSize);
            TickLabels.Add((axis, text, box));
            widest = Math.Max(widest, along);
        }

        SKPoint middle = new((ends[0].X + ends[1].X) / 2, (ends[0].Y + ends[1].Y) / 2);
        float gap = TickLabelGap + widest + 10 + LabelFontSize / 2;
        CanvasText.DrawCentered(canvas, label, middle.X + unit.X * gap, middle.Y + unit.Y * gap, LabelFontSize, degrees: labelDegrees);
    }

    private SKPoint ToPixel((double X, double Y, double Z) point) => ToPixel(point.X, point.Y, point.Z);

    private static SKPath QuadPath(SKPoint[] corners)
    {
        var path = new SKPath();
        path.AddPoly(corners, close: true);
        return path;
    }

    private static void FillQuad(SKCanvas canvas, SKPaint paint, params SKPoint[] corners)
    {
        using SKPath path = QuadPath(corners);
        canvas.DrawPath(path, paint);
    }

    private static SKColor Darken(SKColor color) =>
        new((byte)(color.Red * 0.7), (byte)(color.Green * 0.7), (byte)(color.Blue * 0.7));
}
