namespace LossLandscape.Plotting.Tests;

public sealed class VtpTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>A 5 × 4 grid (x × y), uneven in x, so a swapped index or axis shows.</summary>
    private static SurfacePlotData Ramp()
    {
        double[] x = [-1, -0.5, 0, 0.25, 1];
        double[] y = [-2, -1, 0, 2];
        var values = new double[y.Length, x.Length];
        for (int i = 0; i < y.Length; i++)
            for (int j = 0; j < x.Length; j++)
                values[i, j] = 1 + x[j] + 10 * y[i] * y[i];
        return new SurfacePlotData(x, y, values);
    }

    [Fact]
    public void Points_quads_and_values_follow_the_grid()
    {
        SurfacePlotData ramp = Ramp();
        VtpMesh mesh = VtpMesh.Read(LandscapePlotter.WriteVtp(ramp, folder.File("ramp.vtp")));

        Assert.Equal(20, mesh.PointCount);
        Assert.Equal(12, mesh.PolygonCount);
        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j < 5; j++)
            {
                int point = i * 5 + j;
                Assert.Equal((float)ramp.X[j], mesh.Points[3 * point]);
                Assert.Equal((float)ramp.Y[i], mesh.Points[3 * point + 1]);
                Assert.Equal((float)ramp.Values[i, j], mesh.Points[3 * point + 2]);
                Assert.Equal((float)ramp.Values[i, j], mesh.PointValues[point]);
            }
        }
        Assert.Equal([0L, 1, 6, 5, 1, 2, 7, 6], mesh.Connectivity.Take(8));
        Assert.Equal(Enumerable.Range(1, 12).Select(k => 4L * k), mesh.Offsets);
        Assert.Equal(((float)ramp.Values[0, 0] + (float)ramp.Values[0, 1] + (float)ramp.Values[1, 0] + (float)ramp.Values[1, 1]) / 4,
            mesh.CellValues[0], 4);
    }

    [Fact]
    public void ZMax_clips_before_the_log()
    {
        SurfacePlotData ramp = Ramp();
        VtpMesh mesh = VtpMesh.Read(LandscapePlotter.WriteVtp(ramp, folder.File("ramp.vtp"), new VtpOptions { ZMax = 12, Log = true }));

        for (int point = 0; point < 20; point++)
        {
            double expected = Math.Log(Math.Min(ramp.Values[point / 5, point % 5], 12) + 0.1);
            Assert.Equal((float)expected, mesh.PointValues[point]);
            Assert.Equal((float)expected, mesh.Points[3 * point + 2]);
        }
        Assert.Equal((float)Math.Log(12.1), mesh.PointValues.Max());
    }

    [Fact]
    public void Interpolate_refines_every_cell_bilinearly()
    {
        SurfacePlotData ramp = Ramp();
        VtpMesh mesh = VtpMesh.Read(LandscapePlotter.WriteVtp(ramp, folder.File("ramp.vtp"), new VtpOptions { Interpolate = 2 }));

        Assert.Equal(9 * 7, mesh.PointCount);
        Assert.Equal(8 * 6, mesh.PolygonCount);
        // The original points stay where they were, with their values.
        Assert.Equal((float)ramp.Values[1, 3], mesh.PointValues[2 * 9 + 6]);
        Assert.Equal((float)ramp.X[3], mesh.Points[3 * (2 * 9 + 6)]);
        // A cell centre is the mean of its corners; the point between two columns lies halfway.
        int centre = 1 * 9 + 7;
        Assert.Equal((float)((ramp.Values[0, 3] + ramp.Values[0, 4] + ramp.Values[1, 3] + ramp.Values[1, 4]) / 4), mesh.PointValues[centre], 5);
        Assert.Equal((float)0.625, mesh.Points[3 * centre]);
        Assert.Equal((float)-1.5, mesh.Points[3 * centre + 1]);
        Assert.Equal([0L, 1, 10, 9], mesh.Connectivity.Take(4));
    }

    [Fact]
    public void Missing_points_are_left_out_with_their_quads()
    {
        SurfacePlotData ramp = Ramp();
        ramp.Values[1, 2] = double.NaN;
        ramp.Values[3, 4] = double.PositiveInfinity;
        VtpMesh mesh = VtpMesh.Read(LandscapePlotter.WriteVtp(ramp, folder.File("ramp.vtp")));

        Assert.Equal(18, mesh.PointCount);
        Assert.Equal(12 - 4 - 1, mesh.PolygonCount);
        Assert.All(mesh.PointValues, value => Assert.True(float.IsFinite(value)));
        Assert.All(mesh.Connectivity, index => Assert.InRange(index, 0, 17));
        Assert.DoesNotContain(mesh.PointValues, value => value == (float)ramp.Values[1, 2]);

        VtpMesh clipped = VtpMesh.Read(LandscapePlotter.WriteVtp(ramp, folder.File("clipped.vtp"), new VtpOptions { ZMax = 50 }));
        Assert.Equal(19, clipped.PointCount);
        Assert.Equal(50, clipped.PointValues[^1]);
    }

    [Fact]
    public void Invalid_input_is_rejected_before_writing()
    {
        SurfacePlotData ramp = Ramp();
        string target = folder.File(Path.Combine("never", "ramp.vtp"));
        Assert.Throws<ArgumentException>(() => LandscapePlotter.WriteVtp(ramp with { Values = new double[5, 4] }, target));
        Assert.Throws<ArgumentException>(() => LandscapePlotter.WriteVtp(ramp with { Y = [0.0] }, target));
        Assert.Throws<ArgumentException>(() => LandscapePlotter.WriteVtp(ramp, target, new VtpOptions { ZMax = double.NaN }));
        var interpolate = Assert.Throws<ArgumentException>(() => LandscapePlotter.WriteVtp(ramp, target, new VtpOptions { Interpolate = 0 }));
        Assert.Contains("Interpolate", interpolate.Message);
        Assert.Throws<ArgumentException>(() => LandscapePlotter.WriteVtp(ramp, target, new VtpOptions { Interpolate = 5000 }));
        var extension = Assert.Throws<ArgumentException>(() => LandscapePlotter.WriteVtp(ramp, folder.File(Path.Combine("never", "ramp.vtk"))));
        Assert.Contains("extension", extension.Message);
        Assert.False(Directory.Exists(Path.GetDirectoryName(target)));
    }
}
