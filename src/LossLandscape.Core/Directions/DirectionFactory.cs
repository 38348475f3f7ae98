using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Core.Directions;

/// <summary>Makes directions from a model holding θ* (and θ_target for target directions).</summary>
public static class DirectionFactory
{
    /// <summary>The paper's guard against a zero-norm filter.</summary>
    public const double FilterEpsilon = 1e-10;

    /// <summary>
    /// A seeded N(0, 1) draw per parameter tensor (from a generator of its own, never the process
    /// one), normalised per <see cref="DirectionRecipe.Normalization"/>. Every tensor is drawn,
    /// zeroed ones included, so a tensor's values do not depend on the bias/BN option, nor on
    /// <see cref="DirectionRecipe.Parameters"/>: a subset direction is the whole-model direction of the
    /// same seed with the tensors outside the subset set to zero (normalization is per filter or per
    /// tensor, so it stays within the subset).
    /// </summary>
    /// <param name="headCount">Attention heads per block (GPT-2's n_head); read by <see cref="DirectionNormalization.Head"/> only.</param>
    /// <exception cref="Specs.SpecException">A -Parameter pattern names no parameter, or the subset leaves nothing to move.</exception>
    /// <exception cref="ArgumentException">Head normalization without a head count, or on a model without GPT-2 attention weights that split into that many heads.</exception>
    public static DirectionVector Random(nn.Module model, DirectionRecipe recipe, int headCount = 0)
    {
        if (recipe.Kind != DirectionKind.Random) throw new ArgumentException("The recipe is not a random direction.", nameof(recipe));
        var layout = ParameterLayout.Of(model);
        if (recipe.Normalization == DirectionNormalization.Head) CheckHeads(layout, headCount);
        var moved = Moved(layout, recipe);
        var flat = new float[layout.ParameterLength];
        using var generator = new Generator(unchecked((ulong)DeterministicShuffle.DeriveSeed(recipe.Seed, recipe.Axis)));
        using var noGrad = no_grad();
        foreach (var (entry, parameter) in layout.Parameters.Zip(model.parameters()))
        {
            using var scope = NewDisposeScope();
            var theta = parameter.detach().to(ScalarType.Float32);
            var draw = randn(entry.Shape, ScalarType.Float32, generator: generator);
            var direction = !moved.Contains(entry.Name) ? zeros_like(theta)
                : entry.Role != ParameterRole.Filter ? theta.clone()
                : Normalize(draw, theta, entry, recipe.Normalization, headCount);
            direction.contiguous().data<float>().CopyTo(flat, (int)entry.Offset);
        }
        return new DirectionVector(recipe, flat);
    }

    /// <summary>θ_target − θ*, raw (no normalisation), so α = 1 lands exactly on the target; zero outside <see cref="DirectionRecipe.Parameters"/>.</summary>
    /// <exception cref="Specs.SpecException">A -Parameter pattern names no parameter.</exception>
    public static DirectionVector Target(nn.Module model, nn.Module target, DirectionRecipe recipe)
    {
        if (recipe.Kind != DirectionKind.Target) throw new ArgumentException("The recipe is not a target direction.", nameof(recipe));
        var layout = ParameterLayout.Of(model);
        var targetLayout = ParameterLayout.Of(target);
        if (!layout.Parameters.Select(p => (p.Name, string.Join(",", p.Shape))).SequenceEqual(targetLayout.Parameters.Select(p => (p.Name, string.Join(",", p.Shape)))))
            throw new ArgumentException("The target checkpoint's parameters do not match θ*'s (names and shapes).", nameof(target));
        if (recipe.Parameters is not null && recipe.BatchNormStatistics == BatchNormStatistics.Interpolate)
            throw new ArgumentException("-BatchNormStatistics Interpolate moves every BatchNorm's running statistics, which no parameter subset covers; with -Parameter, leave the direction at Running (surfaces can recompute the statistics at each point with -BatchNormStatistics Reset).", nameof(recipe));
        var parameters = Subtract(layout.FlattenParameters(target), layout.FlattenParameters(model));
        var moved = Moved(layout, recipe with { IgnoreBiasAndNorm = false });
        foreach (var entry in layout.Parameters.Where(e => !moved.Contains(e.Name)))
            Array.Clear(parameters, (int)entry.Offset, (int)entry.Length);
        var buffers = recipe.BatchNormStatistics == BatchNormStatistics.Interpolate
            ? Subtract(layout.FlattenBuffers(target), layout.FlattenBuffers(model))
            : null;
        return new DirectionVector(recipe, parameters, buffers);
    }

    /// <summary>
    /// The <see cref="DirectionRecipe.Axis"/> of the orthonormal plane through θ* (<paramref name="model"/>),
    /// θ_B and θ_bend, in float64 before the float32 result: x = (θ_B − θ*)/‖θ_B − θ*‖, and y the unit
    /// residual of θ_bend − θ* after removing its x component. Biases and BatchNorm γ/β move with the
    /// rest: the plane holds the whole curve. The recipe gets the three points' coordinates.
    /// </summary>
    /// <exception cref="ArgumentException">The architectures differ, or the three points lie on one line.</exception>
    public static DirectionVector CurvePlane(nn.Module model, nn.Module target, nn.Module bend, DirectionRecipe recipe, Connectivity.CurveKind curve)
    {
        if (recipe.Kind != DirectionKind.CurvePlane) throw new ArgumentException("The recipe is not a curve-plane direction.", nameof(recipe));
        var layout = ParameterLayout.Of(model);
        foreach (var other in new[] { target, bend })
        {
            if (!layout.Parameters.Select(p => (p.Name, string.Join(",", p.Shape))).SequenceEqual(ParameterLayout.Of(other).Parameters.Select(p => (p.Name, string.Join(",", p.Shape)))))
                throw new ArgumentException("The target's or the bend's parameters do not match θ*'s (names and shapes).", nameof(recipe));
        }
        var origin = layout.FlattenParameters(model);
        var end = layout.FlattenParameters(target);
        var middle = layout.FlattenParameters(bend);
        var x = new double[origin.Length];
        double targetNormSquared = 0;
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = (double)end[i] - origin[i];
            targetNormSquared += x[i] * x[i];
        }
        var targetNorm = Math.Sqrt(targetNormSquared);
        if (targetNorm == 0) throw new ArgumentException("θ_B equals θ*: the plane has no x axis.", nameof(target));
        double bendX = 0;
        for (var i = 0; i < x.Length; i++)
        {
            x[i] /= targetNorm;
            bendX += ((double)middle[i] - origin[i]) * x[i];
        }
        var y = new double[origin.Length];
        double residualSquared = 0;
        for (var i = 0; i < y.Length; i++)
        {
            y[i] = (double)middle[i] - origin[i] - bendX * x[i];
            residualSquared += y[i] * y[i];
        }
        var bendY = Math.Sqrt(residualSquared);
        // Below this the residual is float32 rounding of points on the line (the midpoint bend-000 gives ~1e-8).
        var roundingScale = 1e-6 * Math.Sqrt(middle.Sum(v => (double)v * v));
        if (!(bendY > roundingScale)) throw new ArgumentException("The bend lies on the line through θ* and θ_B: the three points span no plane (an untrained bend is the midpoint).", nameof(bend));
        var axis = recipe.Axis == 0 ? x : y;
        var scale = recipe.Axis == 0 ? 1 : 1 / bendY;
        var values = new float[axis.Length];
        for (var i = 0; i < values.Length; i++) values[i] = (float)(axis[i] * scale);
        return new DirectionVector(recipe with { Plane = new CurvePlane(targetNorm, bendX, bendY, curve) }, values);
    }

    /// <summary>
    /// Gram–Schmidt of <paramref name="y"/> against <paramref name="x"/>, then one global rescale back
    /// to y's former norm. The per-filter norms are not re-imposed: that would undo the orthogonality.
    /// </summary>
    public static DirectionVector Orthogonalize(DirectionVector y, DirectionVector x)
    {
        if (x.Norm == 0) throw new ArgumentException("Cannot orthogonalize against a zero direction.", nameof(x));
        double dot = 0;
        for (var i = 0; i < y.Parameters.Length; i++) dot += (double)y.Parameters[i] * x.Parameters[i];
        var projection = dot / (x.Norm * x.Norm);
        var residual = new double[y.Parameters.Length];
        double residualNormSquared = 0;
        for (var i = 0; i < residual.Length; i++)
        {
            residual[i] = y.Parameters[i] - projection * x.Parameters[i];
            residualNormSquared += residual[i] * residual[i];
        }
        var scale = residualNormSquared == 0 ? 0 : y.Norm / Math.Sqrt(residualNormSquared);
        var result = new float[residual.Length];
        for (var i = 0; i < result.Length; i++) result[i] = (float)(residual[i] * scale);
        return new DirectionVector(y.Recipe with { Orthogonalized = true }, result, y.Buffers);
    }

    /// <summary>The names of the tensors a direction of <paramref name="recipe"/> moves; the rest are zero.</summary>
    private static HashSet<string> Moved(ParameterLayout layout, DirectionRecipe recipe) =>
        ParameterSubset.Choose(layout.Parameters, e => e.Name, e => e.Role == ParameterRole.Filter, recipe.IgnoreBiasAndNorm, recipe.Parameters)
            .Select(e => e.Name).ToHashSet(StringComparer.Ordinal);

    private static Tensor Normalize(Tensor draw, Tensor theta, ParameterEntry entry, DirectionNormalization normalization, int headCount)
    {
        switch (normalization)
        {
            case DirectionNormalization.Filter:
                return NormalizeUnits(draw, theta, FilterUnits(entry));
            case DirectionNormalization.Head:
                return NormalizeUnits(draw, theta, HeadUnits(entry, headCount) ?? FilterUnits(entry));
            case DirectionNormalization.Layer:
                return draw.mul(theta.norm().div(draw.norm()));
            case DirectionNormalization.Weight:
                return draw.mul(theta);
            case DirectionNormalization.None:
                return draw;
            default:
                throw new ArgumentException($"A random direction is normalized by Filter, Head, Layer, Weight or None, not {normalization}.", nameof(normalization));
        }
    }

    /// <summary>How a weight's units become the rows of a matrix, and back: each row is rescaled to the norm of θ*'s same row.</summary>
    private sealed record UnitRows(Func<Tensor, Tensor> ToRows, Func<Tensor, Tensor> FromRows);

    private static Tensor NormalizeUnits(Tensor draw, Tensor theta, UnitRows units)
    {
        var drawRows = units.ToRows(draw);
        var scale = units.ToRows(theta).norm(1, keepdim: true).div(drawRows.norm(1, keepdim: true).add(FilterEpsilon));
        return units.FromRows(drawRows.mul(scale));
    }

    private static UnitRows FilterUnits(ParameterEntry entry)
    {
        var shape = entry.Shape;
        // A Conv1D weight is in × out: its output units are its columns.
        if (entry.UnitAxis == 1) return new UnitRows(t => t.t(), rows => rows.t());
        return new UnitRows(t => t.reshape(shape[0], -1), rows => rows.reshape(shape));
    }

    /// <summary>The head blocks of an attention weight as rows; null for every other tensor (they fall back to Filter).</summary>
    private static UnitRows? HeadUnits(ParameterEntry entry, int headCount)
    {
        var shape = entry.Shape;
        if (IsAttentionInput(entry))
        {
            // [C, 3C] is [C, (Q|K|V) × head × d]: gather each of the 3·n_head column blocks [C, d] into one row.
            var (width, blocks) = (shape[0], 3L * headCount);
            var headWidth = width / headCount;
            return new UnitRows(
                t => t.reshape(width, blocks, headWidth).permute(1, 0, 2).reshape(blocks, -1),
                rows => rows.reshape(blocks, width, headWidth).permute(1, 0, 2).reshape(shape));
        }
        // [C, C] rows are c_proj's inputs, the heads concatenated: head h's rows [h·d, (h+1)·d) are contiguous.
        if (IsAttentionOutput(entry)) return new UnitRows(t => t.reshape(headCount, -1), rows => rows.reshape(shape));
        return null;
    }

    private static bool IsAttentionInput(ParameterEntry entry) => GptLayout.IsConv1DWeight(entry.Name, entry.Rank) && entry.Name.EndsWith("attn.c_attn.weight", StringComparison.Ordinal);

    private static bool IsAttentionOutput(ParameterEntry entry) => GptLayout.IsConv1DWeight(entry.Name, entry.Rank) && entry.Name.EndsWith("attn.c_proj.weight", StringComparison.Ordinal);

    /// <summary>Refuses Head normalization, before any draw, where the attention weights do not split into <paramref name="headCount"/> heads.</summary>
    private static void CheckHeads(ParameterLayout layout, int headCount)
    {
        if (headCount <= 0)
            throw new ArgumentException("-Normalization Head needs the number of attention heads (n_head), which only a Gpt checkpoint records; use Filter for this model.", nameof(headCount));
        var attention = layout.Parameters.Where(e => IsAttentionInput(e) || IsAttentionOutput(e)).ToArray();
        if (attention.Length == 0)
            throw new ArgumentException("-Normalization Head rescales GPT-2 attention weights ('*.attn.c_attn.weight', '*.attn.c_proj.weight') head by head, and this model has none; use Filter.", nameof(layout));
        foreach (var entry in attention)
        {
            var width = entry.Shape[0];
            var expectedColumns = IsAttentionInput(entry) ? 3 * width : width;
            if (entry.Shape[1] != expectedColumns || width % headCount != 0)
                throw new ArgumentException($"-Normalization Head: '{entry.Name}' is [{string.Join("×", entry.Shape)}], which is not [C×{(IsAttentionInput(entry) ? "3C" : "C")}] with C divisible into {headCount} heads.", nameof(headCount));
        }
    }

    private static float[] Subtract(float[] a, float[] b)
    {
        var result = new float[a.Length];
        for (var i = 0; i < a.Length; i++) result[i] = a[i] - b[i];
        return result;
    }
}
