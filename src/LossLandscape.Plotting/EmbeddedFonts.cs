using SkiaSharp;

namespace LossLandscape.Plotting;

/// <summary>
/// Makes the shipped DejaVu Sans ScottPlot's default font, once per process, and hands its faces
/// to the figures drawn on a Skia canvas directly.
/// </summary>
internal static class EmbeddedFonts
{
    /// <summary>The family name of the shipped font, as written into SVG files.</summary>
    public const string FamilyName = "DejaVu Sans";

    private static readonly object Gate = new();
    private static readonly EmbeddedFontResolver Resolver = new();
    private static bool registered;

    public static void EnsureRegistered()
    {
        lock (Gate)
        {
            if (registered)
                return;

            // First in the list: ScottPlot asks resolvers in order, and the system resolver would
            // otherwise answer with whatever font the machine happens to have.
            ScottPlot.Fonts.FontResolvers.Insert(0, Resolver);
            ScottPlot.Fonts.Default = FamilyName;
            registered = true;
        }
    }

    /// <summary>The regular or bold face of the shipped font.</summary>
    public static SKTypeface Typeface(bool bold) =>
        Resolver.CreateTypeface(FamilyName, bold, italic: false)
        ?? throw new InvalidOperationException($"The resolver has no {FamilyName} face.");
}
