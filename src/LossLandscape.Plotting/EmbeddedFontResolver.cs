using ScottPlot;
using SkiaSharp;

namespace LossLandscape.Plotting;

/// <summary>
/// Gives ScottPlot the DejaVu Sans faces shipped inside this assembly, so text is drawn the same
/// whether or not the machine has fonts installed.
/// </summary>
internal sealed class EmbeddedFontResolver : IFontResolver
{
    private readonly SKTypeface regular = LoadTypeface("DejaVuSans.ttf");
    private readonly SKTypeface bold = LoadTypeface("DejaVuSans-Bold.ttf");

    public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) =>
        fontName == EmbeddedFonts.FamilyName ? (weight >= FontWeight.SemiBold ? bold : regular) : null;

    public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
        CreateTypeface(fontName, bold ? FontWeight.Bold : FontWeight.Normal, FontSlant.Upright, FontSpacing.Normal);

    private static SKTypeface LoadTypeface(string fileName)
    {
        string resourceName = $"LossLandscape.Plotting.Fonts.{fileName}";
        using Stream stream = typeof(EmbeddedFontResolver).Assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"The font resource '{resourceName}' is missing from the assembly.");
        using SKData data = SKData.Create(stream);
        return SKTypeface.FromData(data)
            ?? throw new InvalidOperationException($"The font resource '{resourceName}' is not a readable font.");
    }
}
