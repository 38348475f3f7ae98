using System.IO.Compression;
using System.Globalization;

namespace LossLandscape.Core.Data;

/// <summary>
/// The built-in digits set (UCI "Optical Recognition of Handwritten Digits", 1,797 8×8 images,
/// CC BY 4.0; attribution in Data/Digits/ATTRIBUTION.md), embedded in the assembly.
/// Pixels 0..16 are scaled to [0, 1] by dividing by 16. The split is fixed and stratified: within
/// each class, in file order, every fifth image (positions 4, 9, 14, …) is a test image, so 355
/// images (≈20%) are test and 1,442 train.
/// </summary>
public static class DigitsData
{
    public const string Name = "Digits";
    public const int SampleCount = 1797;
    public const int TestEvery = 5;

    private const string ResourceName = "LossLandscape.Data.Digits.digits.csv.gz";
    private static readonly Lazy<DatasetArrays> All = new(ReadEmbedded);

    /// <summary>The attribution text shipped with the data.</summary>
    public static string Attribution
    {
        get
        {
            using var stream = typeof(DigitsData).Assembly.GetManifestResourceStream("LossLandscape.Data.Digits.ATTRIBUTION.md")
                ?? throw new InvalidOperationException("The digits attribution resource is missing from the assembly.");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    public static DatasetArrays Load(DatasetSplit split)
    {
        var all = All.Value;
        var seenPerClass = new int[all.ClassCount];
        var indices = new List<int>();
        for (var i = 0; i < all.Count; i++)
        {
            var position = seenPerClass[all.Labels[i]]++;
            var isTest = position % TestEvery == TestEvery - 1;
            if (isTest == (split == DatasetSplit.Test)) indices.Add(i);
        }
        return all.Select(indices);
    }

    private static DatasetArrays ReadEmbedded()
    {
        using var stream = typeof(DigitsData).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from the assembly.");
        using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);

        const int pixels = 64;
        var inputs = new float[SampleCount * pixels];
        var labels = new long[SampleCount];
        var row = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            if (row >= SampleCount) throw new InvalidDataException($"The digits data has more than {SampleCount} rows.");
            var fields = line.Split(',');
            if (fields.Length != pixels + 1) throw new InvalidDataException($"Digits row {row + 1} has {fields.Length} fields, expected {pixels + 1}.");
            for (var p = 0; p < pixels; p++)
                inputs[row * pixels + p] = float.Parse(fields[p], CultureInfo.InvariantCulture) / 16f;
            labels[row] = long.Parse(fields[pixels], CultureInfo.InvariantCulture);
            row++;
        }
        if (row != SampleCount) throw new InvalidDataException($"The digits data has {row} rows, expected {SampleCount}.");
        return new DatasetArrays(inputs, labels, Channels: 1, Height: 8, Width: 8, ClassCount: 10);
    }
}
