using LossLandscape.Core.Directions;
using LossLandscape.Core.Specs;

namespace LossLandscape.PowerShell.Types;

/// <summary>
/// A direction as it travels on the pipeline: its recipe, the checkpoint(s) it belongs to, its
/// hash and, when saved, its file. Never the values: they are rebuilt (or re-read) and checked
/// against <see cref="Sha256"/> where they are used.
/// </summary>
public sealed class LandscapeDirection
{
    internal LandscapeDirection(DirectionVector vector, string checkpointPath, string? targetPath, string? filePath, double? cosineToOther, string? bendPath = null)
        : this(vector.Recipe, vector.Sha256, vector.Norm, checkpointPath, targetPath, filePath, cosineToOther, bendPath)
    {
    }

    /// <summary>From what a direction carries on the pipeline (a deserialized one): its values are rebuilt and checked where it is used.</summary>
    internal LandscapeDirection(DirectionRecipe recipe, string sha256, double norm, string checkpointPath, string? targetPath, string? filePath, double? cosineToOther, string? bendPath = null)
    {
        BendPath = bendPath;
        Recipe = recipe;
        Sha256 = sha256;
        Norm = norm;
        CheckpointPath = checkpointPath;
        TargetPath = targetPath;
        Path = filePath;
        CosineToOther = cosineToOther;
    }

    internal DirectionRecipe Recipe { get; }

    public DirectionKind Kind => Recipe.Kind;

    /// <summary>x (α) or y (β).</summary>
    public string Axis => Recipe.Axis == 0 ? "x" : "y";

    public DirectionNormalization Normalization => Recipe.Normalization;

    public long Seed => Recipe.Seed;

    public bool IgnoreBiasAndNorm => Recipe.IgnoreBiasAndNorm;

    public bool Orthogonalized => Recipe.Orthogonalized;

    /// <summary>The -Parameter patterns of the parameters it moves (zero elsewhere); null when it moves them all.</summary>
    public string[]? Parameter => Recipe.Parameters?.Patterns.ToArray();

    public BatchNormStatistics BatchNormStatistics => Recipe.BatchNormStatistics;

    public string CheckpointPath { get; }

    public string CheckpointSha256 => Recipe.CheckpointSha256;

    public string? TargetPath { get; }

    public string? TargetSha256 => Recipe.TargetSha256;

    /// <summary>The bend of a curve plane (-Bend).</summary>
    public string? BendPath { get; }

    public string? BendSha256 => Recipe.BendSha256;

    /// <summary>A curve plane's points: θ* at (0, 0), the target at (TargetX, 0), the bend at (BendX, BendY), and the curve through them.</summary>
    public CurvePlane? Plane => Recipe.Plane;

    /// <summary>SHA-256 of the direction's float32 values: its identity.</summary>
    public string Sha256 { get; }

    /// <summary>Euclidean norm over all parameters.</summary>
    public double Norm { get; }

    /// <summary>Cosine to the other direction made in the same call (null when only one was made).</summary>
    public double? CosineToOther { get; }

    /// <summary>The HDF5 direction file holding the values, when saved; Path like every other output object (FilePath is an alias, LossLandscape.Types.ps1xml).</summary>
    public string? Path { get; }

    /// <summary>Where a spec finds this direction: its file, or its recipe and target; its hash is checked where it is used.</summary>
    internal DirectionSource Source => new() { Recipe = Recipe, Sha256 = Sha256, FilePath = Path, TargetPath = TargetPath, BendPath = BendPath };

    public override string ToString() => $"{Axis}: {Recipe} (‖d‖ = {Norm:G4})";
}
