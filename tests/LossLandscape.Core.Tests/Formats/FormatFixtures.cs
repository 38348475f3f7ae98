using System.Security.Cryptography;
using System.Text.Json;
using LossLandscape.Core.Checkpoints.Formats;

namespace LossLandscape.Core.Tests.Formats;

/// <summary>Reads the files and references written by Fixtures/Formats/make_fixtures.py.</summary>
internal static class FormatFixtures
{
    /// <summary>When set, writer tests also leave their output here for <c>make_fixtures.py verify-export</c>.</summary>
    public const string ExportDirectoryVariable = "LOSSLANDSCAPE_FORMATS_EXPORT_DIR";

    public static string Folder { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Formats");

    public static JsonElement References { get; } = LoadReferences();

    public static string PathOf(string fixture) => Path.Combine(Folder, fixture);

    /// <summary>Checks names, order, dtypes, shapes and the exact bytes against what PyTorch recorded.</summary>
    public static void AssertMatchesReference(StateDictionary state, string fixture)
    {
        var expected = References.GetProperty(fixture).GetProperty("tensors").EnumerateArray().ToList();
        Assert.Equal(expected.Select(tensor => tensor.GetProperty("name").GetString()), state.Names);
        foreach (var (reference, tensor) in expected.Zip(state.Tensors))
        {
            Assert.Equal(reference.GetProperty("dtype").GetString(), tensor.DType.ToString());
            Assert.Equal(reference.GetProperty("shape").EnumerateArray().Select(size => size.GetInt64()), tensor.Shape);
            Assert.Equal(reference.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(tensor.Data)));
            var first = reference.GetProperty("first").EnumerateArray().Select(value => value.GetDouble()).ToArray();
            var values = tensor.ToFloat32();
            for (var i = 0; i < first.Length; i++)
            {
                // float64 tensors lose digits in ToFloat32; everything else is exact.
                var expectedValue = tensor.DType == TensorDType.Float64 ? (float)first[i] : first[i];
                Assert.Equal(expectedValue, values[i]);
            }
        }
    }

    public static string? ExportDirectory()
    {
        var directory = Environment.GetEnvironmentVariable(ExportDirectoryVariable);
        if (string.IsNullOrWhiteSpace(directory)) return null;
        Directory.CreateDirectory(directory);
        return directory;
    }

    private static JsonElement LoadReferences()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(PathOf("references.json")));
        return document.RootElement.Clone();
    }
}
