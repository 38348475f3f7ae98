using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Hdf5;

namespace LossLandscape.Core.PaperFiles;

/// <summary>
/// Direction files written by the paper's code (tomgoldstein/loss-landscape,
/// <c>net_plotter.setup_direction</c>) in either of its layouts: <c>--dir_type weights</c> (one
/// dataset per <c>net.parameters()</c> entry) or <c>--dir_type states</c> (one per
/// <c>net.state_dict()</c> entry, BatchNorm running statistics and <c>num_batches_tracked</c> included).
/// </summary>
public static class PaperDirectionFiles
{
    /// <summary>Reads the file's directions for a model of <paramref name="layout"/>, recognising the layout by its tensor count and shapes.</summary>
    /// <remarks>
    /// A weights file is read as <see cref="DirectionStore.Read"/> reads it. In a states file, parameter
    /// entries fill <see cref="DirectionVector.Parameters"/>, floating-point buffers (running mean and
    /// variance) fill <see cref="DirectionVector.Buffers"/> in <see cref="ParameterLayout.Buffers"/> order,
    /// and integer buffers (<c>num_batches_tracked</c>) are skipped; the recipe is
    /// <see cref="DirectionKind.File"/> with <see cref="BatchNormStatistics.Interpolate"/>.
    /// </remarks>
    /// <exception cref="InvalidDataException">The file fits neither layout; the message names the first offending index and its expected shape.</exception>
    public static IReadOnlyList<DirectionVector> Read(string path, ParameterLayout layout, string checkpointSha256)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(checkpointSha256);
        // Shapes first, from the headers alone: the file of another model is named as such before any of its values is read.
        var shapes = DirectionFile.ReadShapes(path);

        var weights = layout.Parameters.Select(p => new StateEntry(p.Name, p.Shape, StateRole.Parameter)).ToArray();
        var states = StateEntries(layout);
        var weightsMismatch = FirstMismatch(shapes, weights);
        if (weightsMismatch < 0)
        {
            return DirectionStore.Read(path, layout, checkpointSha256);
        }
        var statesMismatch = FirstMismatch(shapes, states);
        if (statesMismatch >= 0)
        {
            throw statesMismatch > weightsMismatch
                ? Mismatch(path, shapes, states, statesMismatch, "state_dict()")
                : Mismatch(path, shapes, weights, weightsMismatch, "named_parameters()");
        }

        var content = DirectionFile.Read(path, layout.StateEntries.Sum(entry => entry.ElementCount));
        var parameterOffsets = layout.Parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var bufferOffsets = layout.Buffers.ToDictionary(b => b.Name, StringComparer.Ordinal);
        var axes = content.Y is null ? new[] { content.X } : [content.X, content.Y];
        var result = new List<DirectionVector>(axes.Length);
        for (var axis = 0; axis < axes.Length; axis++)
        {
            var parameters = new float[layout.ParameterLength];
            var buffers = new float[layout.BufferLength];
            for (var i = 0; i < states.Length; i++)
            {
                var tensor = axes[axis][i];
                switch (states[i].Role)
                {
                    case StateRole.Parameter:
                        tensor.Data.CopyTo(parameters, (int)parameterOffsets[states[i].Name].Offset);
                        break;
                    case StateRole.FloatBuffer:
                        tensor.Data.CopyTo(buffers, (int)bufferOffsets[states[i].Name].Offset);
                        break;
                }
            }
            var recipe = new DirectionRecipe
            {
                Kind = DirectionKind.File,
                Axis = axis,
                CheckpointSha256 = checkpointSha256,
                Normalization = DirectionNormalization.Unknown,
                BatchNormStatistics = BatchNormStatistics.Interpolate,
            };
            result.Add(new DirectionVector(recipe, parameters, buffers));
        }
        return result;
    }

    private enum StateRole
    {
        Parameter,
        FloatBuffer,
        Skipped,
    }

    private sealed record StateEntry(string Name, long[] Shape, StateRole Role);

    private static StateEntry[] StateEntries(ParameterLayout layout)
    {
        var buffers = layout.Buffers.Select(b => b.Name).ToHashSet(StringComparer.Ordinal);
        return layout.StateEntries.Select(entry => new StateEntry(entry.Name, entry.Shape.ToArray(),
            layout.ParameterNames.Contains(entry.Name) ? StateRole.Parameter : buffers.Contains(entry.Name) ? StateRole.FloatBuffer : StateRole.Skipped)).ToArray();
    }

    /// <summary>The first index whose shape differs (or that one side lacks); −1 when the layouts agree.</summary>
    private static int FirstMismatch(long[][] shapes, StateEntry[] expected)
    {
        var common = Math.Min(shapes.Length, expected.Length);
        for (var i = 0; i < common; i++)
        {
            if (!shapes[i].SequenceEqual(expected[i].Shape)) return i;
        }
        return shapes.Length == expected.Length ? -1 : common;
    }

    private static InvalidDataException Mismatch(string path, long[][] shapes, StateEntry[] expected, int index, string layoutName)
    {
        var found = index < shapes.Length ? $"has shape {Hdf5Storage.ShapeText(shapes[index])}" : "is missing";
        var wanted = index < expected.Length
            ? $"expected shape {Hdf5Storage.ShapeText(expected[index].Shape)} ({expected[index].Name})"
            : $"expected nothing: the model's {layoutName} has only {expected.Length} entries";
        return new InvalidDataException(
            $"'{path}' fits neither the model's named_parameters() nor its state_dict(): it has {shapes.Length} tensors; " +
            $"compared with {layoutName} ({expected.Length} entries), xdirection/{index} {found}, {wanted}.");
    }
}
