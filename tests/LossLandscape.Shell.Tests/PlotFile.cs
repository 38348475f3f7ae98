using System.Buffers.Binary;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace LossLandscape.Shell.Tests;

/// <summary>Checks that a plot file an example wrote decodes as what its extension says.</summary>
internal static class PlotFile
{
    public static void AssertReadable(string path)
    {
        Assert.True(File.Exists(path), $"{path} was not written");
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".png":
                var bytes = File.ReadAllBytes(path);
                Assert.Equal<byte>([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], bytes[..8]);
                Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
                Assert.InRange(BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), 200, 10_000);
                Assert.InRange(BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)), 200, 10_000);
                break;
            case ".svg":
                Assert.Equal("svg", XDocument.Load(path).Root!.Name.LocalName);
                break;
            case ".vtp":
                var vtk = XDocument.Load(path).Root!;
                Assert.Equal("VTKFile", vtk.Name.LocalName);
                Assert.Equal("PolyData", (string?)vtk.Attribute("type"));
                break;
            case ".html":
                var html = File.ReadAllText(path);
                Assert.Contains("<html", html, StringComparison.OrdinalIgnoreCase);
                Assert.Matches("plotly\\.js v\\d+\\.\\d+\\.\\d+", html);
                Assert.DoesNotMatch(new Regex("<script[^>]+src=\"https?://", RegexOptions.IgnoreCase), html);
                break;
            default:
                Assert.Fail($"Unexpected plot file {path}");
                break;
        }
    }
}
