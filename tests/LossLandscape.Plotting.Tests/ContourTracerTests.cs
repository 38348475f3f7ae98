namespace LossLandscape.Plotting.Tests;

public sealed class ContourTracerTests
{
    [Fact]
    public void A_bowl_level_is_one_closed_ring_at_the_right_radius()
    {
        SurfacePlotData bowl = Surfaces.Bowl(count: 41);

        ContourLine ring = Assert.Single(ContourTracer.Trace(bowl.X, bowl.Y, bowl.Values, [2.0]));

        Assert.Equal((ring.X[0], ring.Y[0]), (ring.X[^1], ring.Y[^1]));
        double expectedRadius = Math.Sqrt(2.0 / 4);
        for (int k = 0; k < ring.X.Length; k++)
            Assert.Equal(expectedRadius, Math.Sqrt(ring.X[k] * ring.X[k] + ring.Y[k] * ring.Y[k]), 0.02);
    }

    [Fact]
    public void Levels_outside_the_data_give_no_lines()
    {
        SurfacePlotData bowl = Surfaces.Bowl();

        Assert.Empty(ContourTracer.Trace(bowl.X, bowl.Y, bowl.Values, [-1.0, 9.0]));
    }

    [Fact]
    public void A_plane_gives_a_straight_line_at_the_interpolated_position()
    {
        SurfacePlotData plane = Surfaces.Grid((x, y) => x, count: 5);

        ContourLine line = Assert.Single(ContourTracer.Trace(plane.X, plane.Y, plane.Values, [0.25]));

        Assert.All(line.X, x => Assert.Equal(0.25, x, 1e-12));
        Assert.Equal([-1.0, -0.5, 0.0, 0.5, 1.0], line.Y.Order().ToArray());
    }

    [Fact]
    public void NaN_cells_cut_lines_and_infinity_counts_as_high()
    {
        SurfacePlotData bowl = Surfaces.Bowl();
        bowl.Values[10, 15] = double.NaN;
        bowl.Values[10, 5] = double.PositiveInfinity;

        List<ContourLine> lines = ContourTracer.Trace(bowl.X, bowl.Y, bowl.Values, [1.0]);

        Assert.All(lines, line => Assert.All(line.X.Concat(line.Y), v => Assert.True(double.IsFinite(v))));
        Assert.Contains(lines, line => (line.X[0], line.Y[0]) != (line.X[^1], line.Y[^1]));
    }
}
