using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LossLandscape.Core.Sharpness;

/// <summary>
/// Sharpness results as a file for sweeps: CSV (one row per checkpoint, one column per value, a
/// header naming each) or JSON (an array of objects that also carry each measure's definition and
/// parameters). Numbers are written round-trip exact in the invariant culture, so equal results give
/// equal bytes and a rerun can tell an identical file from another.
/// </summary>
public static class SharpnessReport
{
    /// <summary>The file format named by <paramref name="path"/>'s extension (.csv or .json); null for any other.</summary>
    public static string? FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" => "csv",
        ".json" => "json",
        _ => null,
    };

    /// <exception cref="ArgumentException">The extension is neither .csv nor .json.</exception>
    public static byte[] Render(string path, IReadOnlyList<SharpnessResult> results) => FormatOf(path) switch
    {
        "csv" => Encoding.UTF8.GetBytes(Csv(results)),
        "json" => JsonSerializer.SerializeToUtf8Bytes(results.Select(Row).ToArray(), new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }),
        _ => throw new ArgumentException($"'{path}' must end in .csv or .json."),
    };

    private static string Csv(IReadOnlyList<SharpnessResult> results)
    {
        var rows = results.Select(Columns).ToArray();
        var header = rows.Length == 0 ? Columns(null).Select(c => c.Name) : rows[0].Select(c => c.Name);
        var text = new StringBuilder();
        text.Append(string.Join(",", header)).Append('\n');
        foreach (var row in rows) text.Append(string.Join(",", row.Select(c => CsvCell(c.Value)))).Append('\n');
        return text.ToString();
    }

    private static Dictionary<string, object?> Row(SharpnessResult result)
    {
        var row = Columns(result).ToDictionary(c => c.Name, c => (object?)c.Raw);
        row["measures"] = SharpnessMeasure.Of(result).Select(m => new Dictionary<string, object?>
        {
            ["name"] = m.Name,
            ["value"] = m.Value,
            ["standard_error"] = m.StandardError,
            ["definition"] = m.Definition,
            ["parameters"] = m.Parameters,
        }).ToArray();
        return row;
    }

    /// <summary>The flat columns; with a null result only their names matter (an empty sweep still has a header).</summary>
    private static (string Name, string Value, object? Raw)[] Columns(SharpnessResult? result)
    {
        var spec = result?.Spec;
        return
        [
            Text("checkpoint", spec?.Evaluation.Checkpoint.Path),
            Text("checkpoint_sha256", spec?.Evaluation.Checkpoint.StateSha256),
            Text("data", result?.Data.ToString()),
            Number("samples", result?.SampleCount),
            Number("batch_size", spec?.Evaluation.BatchSize),
            Number("batches", result?.BatchCount),
            Number("dimension", result?.Dimension),
            Text("perturbed", spec is null ? null : spec.Evaluation.IgnoreBiasAndNorm ? "filters" : "all"),
            Text("loss_function", spec?.Evaluation.LossFunction.ToString()),
            Number("loss", result?.Loss),
            Number("rho", spec?.Rho),
            Text("norm", spec?.Norm.ToString()),
            Number("average_case", result?.Average.Value),
            Number("average_case_se", result?.Average.StandardError),
            Number("average_samples", spec?.Samples),
            Number("worst_case", result?.WorstCase.Value),
            Number("iterations", spec?.Ascent.Iterations),
            Number("restarts", spec?.Ascent.Restarts),
            Number("keskar", result?.Keskar.Value),
            Number("epsilon", spec?.Epsilon),
            Number("direction_curvature", result?.DirectionCurvature),
            Number("second_difference", result?.SecondDifference),
            Number("curvature_step", spec?.CurvatureStep),
            Text("direction", result?.Direction),
            Number("max_eigenvalue", result?.MaxEigenvalue),
            Number("trace", result?.Trace?.Trace),
            Number("trace_se", result?.Trace?.StandardError),
            Number("seed", spec?.Seed),
            Text("float64", spec?.Float64.ToString()),
            Number("evaluations", result?.Evaluations),
        ];
    }

    private static (string, string, object?) Text(string name, string? value) => (name, value ?? "", value);

    private static (string, string, object?) Number(string name, double? value) =>
        (name, value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "", value);

    private static (string, string, object?) Number(string name, long? value) =>
        (name, value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "", value);

    /// <summary>
    /// One CSV cell. Text from outside (a checkpoint's file name) that a spreadsheet would run as a formula
    /// (=, +, -, @, tab or CR first) gets a leading apostrophe; numbers, negative ones included, stay numbers.
    /// </summary>
    internal static string CsvCell(string value)
    {
        if (value.Length > 0 && "=+-@\t\r".Contains(value[0]) && !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            value = "'" + value;
        return value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
    }
}
