namespace LossLandscape.Plotting;

/// <summary>How the per-group bar figure looks.</summary>
public sealed record GroupBarPlotOptions
{
    /// <summary>Text above the panels; none when null.</summary>
    public string? Title { get; init; }

    /// <summary>
    /// A base-10 log value axis in every panel. Null chooses per panel: log when all its values are
    /// positive and span a factor 100 or more (layers of one network
    /// often differ by decades), linear otherwise. True needs every value positive.
    /// </summary>
    public bool? LogScale { get; init; }

    /// <summary>Width of the whole image in pixels.</summary>
    public int Width { get; init; } = 800;

    /// <summary>Height of the whole image in pixels, shared by the panels.</summary>
    public int Height { get; init; } = 600;
}
