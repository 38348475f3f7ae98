using LossLandscape.Core.Connectivity;

namespace LossLandscape.PowerShell.Types;

/// <summary>
/// The linear path θ(t) = θ_A + t (θ_B − θ_A) between two checkpoints, or a trained curve through a
/// bend (<see cref="Path"/>, Garipov et al., NeurIPS 2018): loss and error (100 − accuracy,
/// in %) along t on each split, and both barrier definitions of each. <see cref="Barrier"/> is Entezari
/// et al.'s (ICLR 2022), max over t of L(t) − ((1 − t) L(0) + t L(1)); <see cref="BarrierMidpoint"/> is
/// Frankle et al.'s (ICML 2020) and Ainsworth et al.'s (ICLR 2023), max over t of L(t) − ½ (L(0) + L(1)).
/// The headline properties are of the train split (the test split's when only it was evaluated);
/// <see cref="Barriers"/> has every split and quantity, <see cref="GroupBarriers"/> each group's path.
/// Pipe one or more to Export-LandscapePlot to draw loss and error along t in one figure.
/// </summary>
public sealed class ModeConnectivity
{
    internal ModeConnectivity(Checkpoint from, Checkpoint to, ConnectivityResult result, TimeSpan elapsed, Checkpoint? bend = null, CurveKind? curve = null)
    {
        Checkpoint = from;
        Target = to;
        Bend = bend;
        Path = bend is null ? "Line" : curve.ToString()!;
        var whole = result.Paths.Single(p => p.Group is null);
        Surface = new LossSurface(whole.Surface);
        T = result.T;
        BatchNormStatistics = result.Statistics.ToString();
        Barriers = whole.Barriers.Select(b => new ConnectivityBarrier(null, b)).ToArray();
        GroupBarriers = result.Paths.Where(p => p.Group is not null).SelectMany(p => p.Barriers.Select(b => new ConnectivityBarrier(p.Group, b))).ToArray();
        var headline = Barriers.Where(b => b.Quantity == nameof(BarrierQuantity.Loss)).First();
        var error = Barriers.First(b => b.Split == headline.Split && b.Quantity == nameof(BarrierQuantity.Error));
        (Split, Barrier, BarrierT, BarrierMidpoint, BarrierMidpointT) = (headline.Split, headline.Barrier, headline.BarrierT, headline.BarrierMidpoint, headline.BarrierMidpointT);
        (ErrorBarrier, ErrorBarrierT, ErrorBarrierMidpoint, ErrorBarrierMidpointT) = (error.Barrier, error.BarrierT, error.BarrierMidpoint, error.BarrierMidpointT);
        Elapsed = elapsed;
    }

    /// <summary>θ_A, at t = 0.</summary>
    public Checkpoint Checkpoint { get; }

    /// <summary>θ_B, at t = 1.</summary>
    public Checkpoint Target { get; }

    /// <summary>The bend of the curve (-Bend); null for the line.</summary>
    public Checkpoint? Bend { get; }

    /// <summary>Line, Bezier or Polychain.</summary>
    public string Path { get; }

    public double[] T { get; }

    public double[]? TrainLoss => Surface.TrainLoss as double[];

    public double[]? TestLoss => Surface.TestLoss as double[];

    public double[]? TrainError => (Surface.TrainAccuracy as double[])?.Select(a => 100 - a).ToArray();

    public double[]? TestError => (Surface.TestAccuracy as double[])?.Select(a => 100 - a).ToArray();

    /// <summary>Running, Interpolate or Reset (recomputed at every t; the default for nets with BatchNorm).</summary>
    public string BatchNormStatistics { get; }

    /// <summary>The split of the headline barriers below.</summary>
    public string Split { get; }

    /// <summary>Loss barrier above the chord between the endpoints (Entezari et al. 2022).</summary>
    public double Barrier { get; }

    public double BarrierT { get; }

    /// <summary>Loss barrier above the endpoints' mean (Frankle et al. 2020; Ainsworth et al. 2023).</summary>
    public double BarrierMidpoint { get; }

    public double BarrierMidpointT { get; }

    /// <summary>Error barrier (percentage points) above the chord.</summary>
    public double ErrorBarrier { get; }

    public double ErrorBarrierT { get; }

    /// <summary>Error barrier (percentage points) above the endpoints' mean.</summary>
    public double ErrorBarrierMidpoint { get; }

    public double ErrorBarrierMidpointT { get; }

    public ConnectivityBarrier[] Barriers { get; }

    /// <summary>With -GroupBy: the barriers of each group's path, only that group moving (layer-wise barriers, Adilova et al., ICLR 2024).</summary>
    public ConnectivityBarrier[] GroupBarriers { get; }

    /// <summary>The path as a 1D surface over t (what Export-LandscapePlot draws): along θ_B − θ_A, or for a curve along θ_B − θ_A and θ_bend − θ_A.</summary>
    public LossSurface Surface { get; }

    public TimeSpan Elapsed { get; }

    public override string ToString() => $"{Checkpoint.Name} → {(Bend is null ? "" : $"{Bend.Name} → ")}{Target.Name}: barrier {Barrier:G4} (t = {BarrierT:G3})";
}

/// <summary>The barriers of one quantity on one split (and one group's path, for layer-wise barriers).</summary>
public sealed class ConnectivityBarrier
{
    internal ConnectivityBarrier(string? group, BarrierRow row)
    {
        Group = group;
        Split = row.Split.ToString();
        Quantity = row.Quantity.ToString();
        (Barrier, BarrierT) = (row.AboveChord.Height, row.AboveChord.T);
        (BarrierMidpoint, BarrierMidpointT) = (row.AboveMeanOfEnds.Height, row.AboveMeanOfEnds.T);
    }

    public string? Group { get; }

    public string Split { get; }

    /// <summary>Loss, or Error (percentage points).</summary>
    public string Quantity { get; }

    public double Barrier { get; }

    public double BarrierT { get; }

    public double BarrierMidpoint { get; }

    public double BarrierMidpointT { get; }
}
