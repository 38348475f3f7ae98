namespace LossLandscape.Core.Curvature;

/// <param name="Trace">Mean of zᵀHz over the probes.</param>
/// <param name="StandardError">Sample standard deviation of zᵀHz over √probes (0 with one probe).</param>
/// <param name="Samples">Each probe's zᵀHz, in probe order.</param>
public sealed record TraceEstimate(double Trace, double StandardError, double[] Samples)
{
    public int Probes => Samples.Length;
}
