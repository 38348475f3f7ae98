using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Native;
using LossLandscape.Core.PaperFiles;

namespace LossLandscape.Core.Specs;

/// <summary>
/// Where one direction of a spec comes from: a direction file (the values with the hash
/// <see cref="Sha256"/> in it), or its recipe, rebuilt where it is used. A recipe made on the fly
/// (random directions nobody saw yet) has no hash to check.
/// </summary>
public sealed record DirectionSource
{
    public required DirectionRecipe Recipe { get; init; }

    /// <summary>SHA-256 of the direction's float32 values; null for a direction first built from its recipe.</summary>
    public string? Sha256 { get; init; }

    /// <summary>The HDF5 direction file holding the values (ours or the paper code's layout).</summary>
    public string? FilePath { get; init; }

    /// <summary>The θ₂ checkpoint of a target direction θ₂ − θ₁ (or of a curve plane).</summary>
    public string? TargetPath { get; init; }

    /// <summary>The bend checkpoint of a curve-plane direction.</summary>
    public string? BendPath { get; init; }

    /// <summary>
    /// A surface's directions: the given ones; or, when none are given, random ones made from
    /// <paramref name="random"/> (axis 0, and axis 1 for 2D, orthogonalized on request).
    /// </summary>
    /// <exception cref="SpecException">Their number does not fit <paramref name="dimensions"/>.</exception>
    public static IReadOnlyList<DirectionSource> ForSurface(IReadOnlyList<DirectionSource> given, int dimensions, DirectionRecipe random, bool orthogonalize)
    {
        if (given.Count > 2) throw new SpecException(SpecProblem.Direction, $"-Direction takes one or two directions, got {given.Count}.");
        if (given.Count > dimensions) throw new SpecException(SpecProblem.Direction, $"{given.Count} directions were given for a {dimensions}D surface.");
        if (given.Count == 1 && dimensions == 2) throw new SpecException(SpecProblem.Direction, "A 2D surface needs two directions; give both or none.");
        if (given.Count > 0) return given;
        var x = new DirectionSource { Recipe = random };
        return dimensions == 2 ? [x, new DirectionSource { Recipe = random with { Axis = 1, Orthogonalized = orthogonalize } }] : [x];
    }

    /// <summary>The direction's values for <paramref name="checkpoint"/>, read from its file or rebuilt, and checked against <see cref="Sha256"/>.</summary>
    /// <exception cref="SpecException">The direction cannot be made for this checkpoint, or its values changed.</exception>
    public DirectionVector Resolve(LandscapeRuntime runtime, CheckpointInfo checkpoint)
    {
        DirectionVector vector;
        try
        {
            vector = FilePath is not null ? ReadFromFile(runtime, checkpoint) : DirectionBuilder.Build(runtime, checkpoint, Recipe, TargetPath is null ? null : CheckpointStore.Read(runtime, TargetPath), BendPath is null ? null : CheckpointStore.Read(runtime, BendPath));
        }
        catch (Exception e) when (e is (ArgumentException or InvalidDataException or IOException or CheckpointException) and not SpecException)
        {
            throw new SpecException(SpecProblem.Direction, e.Message, e);
        }
        if (Sha256 is not null && vector.Sha256 != Sha256)
            throw new SpecException(SpecProblem.Direction, $"Rebuilding the {AxisName} direction gave different values (SHA-256 {vector.Sha256}, expected {Sha256}): the checkpoint or a file changed since it was made.");
        return vector;
    }

    private string AxisName => Recipe.Axis == 0 ? "x" : "y";

    private DirectionVector ReadFromFile(LandscapeRuntime runtime, CheckpointInfo checkpoint)
    {
        var all = PaperDirectionFiles.Read(FilePath!, ParameterLayout.Of(runtime, checkpoint), checkpoint.Metadata.StateSha256);
        return all.FirstOrDefault(d => Sha256 is null ? d.Recipe.Axis == Recipe.Axis : d.Sha256 == Sha256)
            ?? throw new SpecException(SpecProblem.Direction, $"'{FilePath}' no longer holds the {AxisName} direction with SHA-256 {Sha256}.");
    }
}
