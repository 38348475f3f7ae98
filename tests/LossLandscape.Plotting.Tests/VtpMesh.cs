using System.Globalization;
using System.Xml.Linq;

namespace LossLandscape.Plotting.Tests;

/// <summary>A .vtp file read back with XDocument, which also proves it is well-formed XML.</summary>
internal sealed record VtpMesh(int PointCount, int PolygonCount, float[] Points, float[] PointValues, float[] CellValues, long[] Connectivity, long[] Offsets)
{
    public static VtpMesh Read(string path)
    {
        XElement root = XDocument.Load(path).Root!;
        Assert.Equal("VTKFile", root.Name.LocalName);
        Assert.Equal("PolyData", (string?)root.Attribute("type"));
        XElement piece = root.Element("PolyData")!.Element("Piece")!;
        var mesh = new VtpMesh(
            (int)piece.Attribute("NumberOfPoints")!,
            (int)piece.Attribute("NumberOfPolys")!,
            Floats(piece.Element("Points")!, "Points"),
            Floats(piece.Element("PointData")!, "zvalue"),
            Floats(piece.Element("CellData")!, "averaged zvalue"),
            Integers(piece.Element("Polys")!, "connectivity"),
            Integers(piece.Element("Polys")!, "offsets"));
        Assert.Equal(3 * mesh.PointCount, mesh.Points.Length);
        Assert.Equal(mesh.PointCount, mesh.PointValues.Length);
        Assert.Equal(mesh.PolygonCount, mesh.CellValues.Length);
        Assert.Equal(4 * mesh.PolygonCount, mesh.Connectivity.Length);
        return mesh;
    }

    private static string[] Numbers(XElement parent, string name) =>
        parent.Elements("DataArray").Single(array => (string?)array.Attribute("Name") == name).Value
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    private static float[] Floats(XElement parent, string name) =>
        Numbers(parent, name).Select(text => float.Parse(text, CultureInfo.InvariantCulture)).ToArray();

    private static long[] Integers(XElement parent, string name) =>
        Numbers(parent, name).Select(text => long.Parse(text, CultureInfo.InvariantCulture)).ToArray();
}
