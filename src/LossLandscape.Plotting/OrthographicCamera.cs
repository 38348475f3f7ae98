namespace LossLandscape.Plotting;

/// <summary>
/// Looks at a 3D point cloud from far away in the direction given by azimuth and elevation, with
/// matplotlib's conventions: azimuth about the vertical axis from +x toward +y, elevation above the floor.
/// </summary>
internal sealed class OrthographicCamera
{
    private readonly double[] towardViewer;
    private readonly double[] screenRight;
    private readonly double[] screenUp;

    public OrthographicCamera(double azimuthDegrees, double elevationDegrees)
    {
        double azimuth = azimuthDegrees * Math.PI / 180, elevation = elevationDegrees * Math.PI / 180;
        towardViewer = [Math.Cos(elevation) * Math.Cos(azimuth), Math.Cos(elevation) * Math.Sin(azimuth), Math.Sin(elevation)];
        screenRight = [-Math.Sin(azimuth), Math.Cos(azimuth), 0];
        screenUp = [-Math.Sin(elevation) * Math.Cos(azimuth), -Math.Sin(elevation) * Math.Sin(azimuth), Math.Cos(elevation)];
    }

    /// <summary>Screen coordinates (right, up) and depth (larger = nearer the viewer) of a point.</summary>
    public (double Right, double Up, double Depth) Project(double x, double y, double z) =>
        (Dot(screenRight, x, y, z), Dot(screenUp, x, y, z), Dot(towardViewer, x, y, z));

    /// <summary>+1 when the viewer sits on the positive side of that axis (0 = x, 1 = y, 2 = z), else −1.</summary>
    public int ViewerSide(int axis) => towardViewer[axis] >= 0 ? 1 : -1;

    private static double Dot(double[] v, double x, double y, double z) => v[0] * x + v[1] * y + v[2] * z;
}
