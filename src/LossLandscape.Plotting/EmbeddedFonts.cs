namespace LossLandscape.Plotting;

/// <summary>
/// Makes the shipped DejaVu Sans ScottPlot's default font, once per process.
/// </summary>
internal static class EmbeddedFonts
{
    /// <summary>The family name of the shipped font, as written into SVG files.</summary>
    public const string FamilyName = "DejaVu Sans";

    private static readonly object Gate = new();
    private static bool registered;

    public static void EnsureRegistered()
    {
        lock (Gate)
        {
            if (registered)
                return;

            // First in the list: ScottPlot asks resolvers in order, and the system resolver would
            // otherwise answer with whatever font the machine happens to have.
            ScottPlot.Fonts.FontResolvers.Insert(0, new EmbeddedFontResolver());
            ScottPlot.Fonts.Default = FamilyName;
            registered = true;
        }
    }
}
