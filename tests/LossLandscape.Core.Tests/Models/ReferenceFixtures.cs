using System.Text.Json;
using LossLandscape.Core.Models;

namespace LossLandscape.Core.Tests.Models;

/// <summary>
/// Reads the PyTorch fixtures written by Fixtures/Models/generate_model_names.py.
/// </summary>
internal static class ReferenceFixtures
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Models");

    public static JsonElement ModelNames { get; } = Load("model_names.json");

    public static JsonElement ModelOutputs { get; } = Load("model_outputs.json");

    public static ModelSpec Spec(JsonElement spec) => new()
    {
        Architecture = spec.GetProperty("Architecture").GetString()!,
        InputChannels = spec.GetProperty("InputChannels").GetInt32(),
        InputHeight = spec.GetProperty("InputHeight").GetInt32(),
        InputWidth = spec.GetProperty("InputWidth").GetInt32(),
        ClassCount = spec.GetProperty("ClassCount").GetInt32(),
        HiddenWidths = spec.TryGetProperty("HiddenWidths", out var widths) ? widths.EnumerateArray().Select(w => w.GetInt32()).ToArray() : null,
        WidthFactor = spec.TryGetProperty("WidthFactor", out var k) ? k.GetInt32() : 1,
    };

    private static JsonElement Load(string fileName)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, fileName)));
        return document.RootElement.Clone();
    }
}
