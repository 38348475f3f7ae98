using System.Globalization;
using System.Text;
using System.Xml;

namespace LossLandscape.Plotting;

/// <summary>
/// Turns a surface into a VTK XML PolyData (.vtp) document that ParaView opens, with the layout of the
/// paper's <c>h52vtp.py</c>: a point (α, β, value) per grid point, numbered row by row (x fastest); a quad
/// per grid cell; the value as point data "zvalue"; and the mean of each quad's corners as cell data
/// "averaged zvalue". Everything is ASCII, numbers as Float32 and indices as Int64.
/// </summary>
/// <remarks>
/// A point whose value is missing (NaN, or beyond Float32 after clipping and the log, as a diverged +∞ is) has no z to stand at,
/// so it is left out together with every quad that touches it; the remaining points are renumbered.
/// A fully computed surface keeps the paper's numbering: point i·nx + j is (X[j], Y[i]).
/// </remarks>
internal static class VtpWriter
{
    /// <summary>How many numbers go on one line, as in the paper's files; only for readability.</summary>
    private const int ValuesPerLine = 6;

    public static byte[] Build(SurfacePlotData data, VtpOptions options)
    {
        SurfacePlotData grid = SurfaceResampler.Refine(data, options.Interpolate);
        int rows = grid.Y.Length, columns = grid.X.Length;

        var pointIndex = new int[rows, columns];
        var x = new List<double>();
        var y = new List<double>();
        var z = new List<double>();
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                double value = Transform(grid.Values[i, j], options);
                pointIndex[i, j] = float.IsFinite((float)value) ? z.Count : -1;
                if (pointIndex[i, j] < 0)
                    continue;
                x.Add(grid.X[j]);
                y.Add(grid.Y[i]);
                z.Add(value);
            }
        }

        var connectivity = new List<long>();
        var cellValues = new List<double>();
        for (int i = 0; i + 1 < rows; i++)
        {
            for (int j = 0; j + 1 < columns; j++)
            {
                // Counter-clockwise seen from above, as in the paper: (i, j), (i, j+1), (i+1, j+1), (i+1, j).
                int[] corners = [pointIndex[i, j], pointIndex[i, j + 1], pointIndex[i + 1, j + 1], pointIndex[i + 1, j]];
                if (corners.Any(corner => corner < 0))
                    continue;
                connectivity.AddRange(corners.Select(corner => (long)corner));
                cellValues.Add(corners.Average(corner => z[corner]));
            }
        }

        return Serialize(x, y, z, connectivity, cellValues);
    }

    /// <summary>The paper's order: clip to ZMax first, then the log.</summary>
    private static double Transform(double value, VtpOptions options)
    {
        if (options.ZMax is { } zMax && value > zMax)
            value = zMax;
        return options.Log ? Math.Log(value + 0.1) : value;
    }

    private static byte[] Serialize(List<double> x, List<double> y, List<double> z, List<long> connectivity, List<double> cellValues)
    {
        int polygonCount = cellValues.Count;
        var settings = new XmlWriterSettings
        {
            Indent = true,
            IndentChars = "  ",
            NewLineChars = "\n",
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        };
        using var stream = new MemoryStream();
        using (XmlWriter writer = XmlWriter.Create(stream, settings))
        {
            writer.WriteStartElement("VTKFile");
            writer.WriteAttributeString("type", "PolyData");
            writer.WriteAttributeString("version", "1.0");
            writer.WriteAttributeString("byte_order", "LittleEndian");
            writer.WriteAttributeString("header_type", "UInt64");
            writer.WriteStartElement("PolyData");
            writer.WriteStartElement("Piece");
            writer.WriteAttributeString("NumberOfPoints", Format(z.Count));
            writer.WriteAttributeString("NumberOfVerts", "0");
            writer.WriteAttributeString("NumberOfLines", "0");
            writer.WriteAttributeString("NumberOfStrips", "0");
            writer.WriteAttributeString("NumberOfPolys", Format(polygonCount));

            writer.WriteStartElement("PointData");
            writer.WriteAttributeString("Scalars", "zvalue");
            WriteFloats(writer, "zvalue", 1, z);
            writer.WriteEndElement();

            writer.WriteStartElement("CellData");
            writer.WriteAttributeString("Scalars", "averaged zvalue");
            WriteFloats(writer, "averaged zvalue", 1, cellValues);
            writer.WriteEndElement();

            writer.WriteStartElement("Points");
            var coordinates = new List<double>(3 * z.Count);
            for (int k = 0; k < z.Count; k++)
                coordinates.AddRange([x[k], y[k], z[k]]);
            WriteFloats(writer, "Points", 3, coordinates);
            writer.WriteEndElement();

            writer.WriteStartElement("Polys");
            WriteIntegers(writer, "connectivity", connectivity);
            WriteIntegers(writer, "offsets", Enumerable.Range(1, polygonCount).Select(polygon => 4L * polygon).ToList());
            writer.WriteEndElement();

            writer.WriteEndElement();
            writer.WriteEndElement();
            writer.WriteEndElement();
        }
        return stream.ToArray();
    }

    private static void WriteFloats(XmlWriter writer, string name, int components, List<double> values)
    {
        writer.WriteStartElement("DataArray");
        writer.WriteAttributeString("type", "Float32");
        writer.WriteAttributeString("Name", name);
        writer.WriteAttributeString("NumberOfComponents", Format(components));
        writer.WriteAttributeString("format", "ascii");
        if (values.Count > 0)
        {
            writer.WriteAttributeString("RangeMin", Format((float)values.Min()));
            writer.WriteAttributeString("RangeMax", Format((float)values.Max()));
        }
        writer.WriteString(Lines(values.Select(value => Format((float)value))));
        writer.WriteEndElement();
    }

    private static void WriteIntegers(XmlWriter writer, string name, List<long> values)
    {
        writer.WriteStartElement("DataArray");
        writer.WriteAttributeString("type", "Int64");
        writer.WriteAttributeString("Name", name);
        writer.WriteAttributeString("format", "ascii");
        writer.WriteString(Lines(values.Select(Format)));
        writer.WriteEndElement();
    }

    private static string Lines(IEnumerable<string> numbers)
    {
        var text = new StringBuilder("\n");
        foreach (string[] line in numbers.Chunk(ValuesPerLine))
            text.Append(' ', 10).AppendJoin(' ', line).Append('\n');
        return text.Append(' ', 8).ToString();
    }

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The shortest text that reads back as the same Float32.</summary>
    private static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}
