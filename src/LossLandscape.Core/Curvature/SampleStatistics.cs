namespace LossLandscape.Core.Curvature;

internal static class SampleStatistics
{
    /// <summary>Sample standard deviation (n − 1) over √n; 0 for a single sample, which carries no spread.</summary>
    public static double StandardError(IReadOnlyList<double> samples)
    {
        if (samples.Count < 2) return 0;
        var mean = samples.Average();
        var variance = samples.Sum(s => (s - mean) * (s - mean)) / (samples.Count - 1);
        return Math.Sqrt(variance / samples.Count);
    }
}
