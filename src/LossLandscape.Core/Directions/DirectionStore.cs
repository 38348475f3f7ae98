using System.Text.Json;
using LossLandscape.Core.Checkpoints;

namespace LossLandscape.Core.Directions;

/// <summary>
/// Directions as HDF5 files in the paper code's layout (groups xdirection/ydirection, one float32
/// dataset per parameter named '0'…'K−1'), with our recipes as root attributes so a file we wrote
/// is known exactly. Directions that also move BN statistics are not saved: the paper's "states"
/// layout for them is not written yet, and a parameters-only file would silently drop them.
/// </summary>
public static class DirectionStore
{
    public const string RecipeAttributePrefix = "losslandscape_recipe_";
    public const string HashAttributePrefix = "losslandscape_sha256_";

    public static void Write(string path, ParameterLayout layout, IReadOnlyList<DirectionVector> directions)
    {
        if (directions.Count is < 1 or > 2) throw new ArgumentException("A direction file holds one or two directions.", nameof(directions));
        if (directions.Any(d => d.Buffers is not null))
            throw new ArgumentException("Directions that move BatchNorm statistics (-BatchNormStatistics Interpolate) cannot be saved to a direction file yet; rebuild them from the two checkpoints instead.", nameof(directions));
        var attributes = new Dictionary<string, string>();
        for (var axis = 0; axis < directions.Count; axis++)
        {
            attributes[RecipeAttributePrefix + AxisName(axis)] = JsonSerializer.Serialize(directions[axis].Recipe, CheckpointStore.JsonOptions);
            attributes[HashAttributePrefix + AxisName(axis)] = directions[axis].Sha256;
        }
        DirectionFile.Write(path, new DirectionFileContent(
            Split(layout.Parameters, directions[0].Parameters),
            directions.Count > 1 ? Split(layout.Parameters, directions[1].Parameters) : null,
            attributes));
    }

    /// <summary>Reads the file's directions, checking their count and shapes against the model's parameters.</summary>
    /// <exception cref="InvalidDataException">The file does not fit the model; the message names the first offending tensor.</exception>
    public static IReadOnlyList<DirectionVector> Read(string path, ParameterLayout layout, string checkpointSha256)
    {
        var content = DirectionFile.Read(path, layout.ParameterLength);
        var axes = content.Y is null ? new[] { content.X } : [content.X, content.Y];
        var result = new List<DirectionVector>();
        for (var axis = 0; axis < axes.Length; axis++)
        {
            var flat = Join(layout.Parameters, axes[axis], path, AxisName(axis));
            var recipe = content.Attributes.TryGetValue(RecipeAttributePrefix + AxisName(axis), out var json)
                ? ReadRecipe(path, json)
                : new DirectionRecipe { Kind = DirectionKind.File, Axis = axis, CheckpointSha256 = checkpointSha256, Normalization = DirectionNormalization.Unknown };
            var direction = new DirectionVector(recipe, flat);
            if (content.Attributes.TryGetValue(HashAttributePrefix + AxisName(axis), out var hash) && hash != direction.Sha256)
                throw new InvalidDataException($"'{path}': the {AxisName(axis)} direction's values do not match the hash recorded when it was written.");
            result.Add(direction);
        }
        return result;
    }

    /// <summary>
    /// True when <paramref name="path"/> holds exactly <paramref name="directions"/>: the same values (SHA-256)
    /// and recipes, in order. Directions are deterministic in their recipe, so a rerun with the same settings
    /// finds its own file and may keep it; a file that cannot be read as this model's directions is not a match.
    /// </summary>
    public static bool HoldsExactly(string path, ParameterLayout layout, string checkpointSha256, IReadOnlyList<DirectionVector> directions)
    {
        IReadOnlyList<DirectionVector> existing;
        try
        {
            existing = Read(path, layout, checkpointSha256);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
        return existing.Count == directions.Count
            && existing.Zip(directions).All(pair => pair.First.Sha256 == pair.Second.Sha256 && pair.First.Recipe == pair.Second.Recipe);
    }

    private static DirectionRecipe ReadRecipe(string path, string json)
    {
        try
        {
            return JsonSerializer.Deserialize<DirectionRecipe>(json, CheckpointStore.JsonOptions)
                ?? throw new InvalidDataException($"'{path}' records an empty direction recipe.");
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException)
        {
            throw new InvalidDataException($"'{path}' records a direction recipe that is not valid: {e.Message}", e);
        }
    }

    private static string AxisName(int axis) => axis == 0 ? "x" : "y";

    internal static DirectionTensor[] Split(IReadOnlyList<ParameterEntry> entries, float[] flat) =>
        entries.Select(e => new DirectionTensor(flat.AsSpan((int)e.Offset, (int)e.Length).ToArray(), e.Shape)).ToArray();

    internal static float[] Join(IReadOnlyList<ParameterEntry> entries, IReadOnlyList<DirectionTensor> tensors, string path, string axis)
    {
        if (tensors.Count != entries.Count)
            throw new InvalidDataException($"'{path}': {axis}direction has {tensors.Count} tensors but the model has {entries.Count} parameters.");
        var flat = new float[entries.Sum(e => e.Length)];
        for (var i = 0; i < entries.Count; i++)
        {
            if (!tensors[i].Shape.SequenceEqual(entries[i].Shape))
                throw new InvalidDataException($"'{path}': {axis}direction/{i} has shape [{string.Join("×", tensors[i].Shape)}] but parameter {i} ({entries[i].Name}) is [{string.Join("×", entries[i].Shape)}].");
            tensors[i].Data.CopyTo(flat, (int)entries[i].Offset);
        }
        return flat;
    }
}
