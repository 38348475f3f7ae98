using System.Text.Json;
using System.Text.Json.Serialization;

namespace LossLandscape.Core.Directions;

/// <summary>
/// Which statistics BatchNorm layers normalize with while a model is evaluated away from θ*: one
/// name across the module (directions, surfaces, Hessians, sharpness).
/// </summary>
public enum BatchNormStatistics
{
    /// <summary>θ*'s running statistics, in eval mode (the paper code's evaluation).</summary>
    Running,

    /// <summary>Target directions only: the running statistics move linearly with the weights (the paper code's "states" mode).</summary>
    Interpolate,

    /// <summary>
    /// Recomputed at every evaluated point, as <c>torch.optim.swa_utils.update_bn</c> does: running
    /// statistics reset, momentum None (the cumulative average over the first k training batches of
    /// the per-batch mean and unbiased variance), then eval mode with them.
    /// </summary>
    Reset,

    /// <summary>Each evaluated batch normalized by its own statistics (training-mode BatchNorm); the running statistics are not touched.</summary>
    Batch,
}

/// <summary>Reads the name files written before <see cref="BatchNormStatistics.Running"/> was named so ("Eval"), writes the current names.</summary>
public sealed class BatchNormStatisticsJsonConverter : JsonConverter<BatchNormStatistics>
{
    private const string FormerRunningName = "Eval";

    /// <exception cref="ArgumentException">Not one of the names (numbers are not accepted either).</exception>
    public static BatchNormStatistics Parse(string text) =>
        string.Equals(text, FormerRunningName, StringComparison.OrdinalIgnoreCase) ? BatchNormStatistics.Running
        : Enum.TryParse<BatchNormStatistics>(text, ignoreCase: true, out var value) && Enum.IsDefined(value) && !int.TryParse(text, out _) ? value
        : throw new ArgumentException($"'{text}' is not a BatchNorm statistics mode ({string.Join(", ", Enum.GetNames<BatchNormStatistics>())}).", nameof(text));

    public override BatchNormStatistics Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonException("A BatchNorm statistics mode is written as its name.");
        try
        {
            return Parse(reader.GetString()!);
        }
        catch (ArgumentException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, BatchNormStatistics value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
