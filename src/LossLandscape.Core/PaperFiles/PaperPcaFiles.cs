using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Hdf5;
using LossLandscape.Core.Trajectories;
using PureHDF;

namespace LossLandscape.Core.PaperFiles;

/// <summary>
/// Trajectory PCA files in the layout of the paper's code (tomgoldstein/loss-landscape,
/// <c>projection.setup_PCA_directions</c> and <c>projection.project_trajectory</c>): a directions file
/// with groups <c>xdirection</c>/<c>ydirection</c> (float32 datasets '0'…'K−1' over
/// <c>net.parameters()</c>) and float64 datasets <c>explained_variance_ratio_</c>,
/// <c>singular_values_</c>, <c>explained_variance_</c>; and a projection file with
/// <c>proj_xcoord</c> and <c>proj_ycoord</c>.
/// </summary>
public static class PaperPcaFiles
{
    public const string ExplainedVarianceRatioName = "explained_variance_ratio_";
    public const string SingularValuesName = "singular_values_";
    public const string ExplainedVarianceName = "explained_variance_";
    public const string ProjectionXName = "proj_xcoord";
    public const string ProjectionYName = "proj_ycoord";

    /// <summary>Writes <paramref name="result"/> as the paper's PCA directions file and projection file.</summary>
    /// <remarks><c>explained_variance_</c> is derived as scikit-learn defines it: singular value² / (n − 1), n the checkpoint count.</remarks>
    /// <exception cref="ArgumentException">The result has no components, components that do not fit the layout, or BN-statistics directions.</exception>
    public static void Write(string directionsPath, string projectionPath, TrajectoryPcaResult result, ParameterLayout layout)
    {
        ArgumentNullException.ThrowIfNull(directionsPath);
        ArgumentNullException.ThrowIfNull(projectionPath);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(layout);
        if (result.Components.Count is < 1 or > 2)
            throw new ArgumentException($"A PCA directions file holds one or two components, the result has {result.Components.Count}.", nameof(result));
        foreach (var component in result.Components)
        {
            if (component.Parameters.Length != layout.ParameterLength)
                throw new ArgumentException($"A component has {component.Parameters.Length} values but the layout has {layout.ParameterLength} parameters.", nameof(result));
            if (component.Buffers is not null)
                throw new ArgumentException("Components that move BatchNorm statistics cannot be written in the paper's weights layout.", nameof(result));
        }
        if (result.X.Length != result.Y.Length)
            throw new ArgumentException($"The result has {result.X.Length} x but {result.Y.Length} y coordinates.", nameof(result));

        var samples = result.Checkpoints.Count;
        var directions = new H5File();
        for (var axis = 0; axis < result.Components.Count; axis++)
        {
            directions[axis == 0 ? DirectionFile.XDirectionName : DirectionFile.YDirectionName] =
                ToGroup(DirectionStore.Split(layout.Parameters, result.Components[axis].Parameters));
        }
        directions[ExplainedVarianceRatioName] = result.ExplainedVarianceRatio.ToArray();
        directions[SingularValuesName] = result.SingularValues.ToArray();
        directions[ExplainedVarianceName] = result.SingularValues.Select(s => samples > 1 ? s * s / (samples - 1) : 0).ToArray();
        Hdf5Storage.WriteAtomically(directionsPath, directions);

        var projection = new H5File
        {
            [ProjectionXName] = result.X.ToArray(),
            [ProjectionYName] = result.Y.ToArray(),
        };
        Hdf5Storage.WriteAtomically(projectionPath, projection);
    }

    /// <summary>Reads a PCA directions file (and, if given, its projection file) for a model of <paramref name="layout"/>.</summary>
    /// <param name="referenceSha256">SHA-256 of θ_ref's state file, recorded in the components' recipes.</param>
    /// <exception cref="InvalidDataException">A file is malformed or does not fit the layout.</exception>
    public static PaperPcaContent Read(string directionsPath, string? projectionPath, ParameterLayout layout, string referenceSha256)
    {
        ArgumentNullException.ThrowIfNull(directionsPath);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(referenceSha256);
        var content = DirectionFile.Read(directionsPath, layout.ParameterLength);
        var axes = content.Y is null ? new[] { content.X } : [content.X, content.Y];
        var components = new List<DirectionVector>(axes.Length);
        for (var axis = 0; axis < axes.Length; axis++)
        {
            var flat = DirectionStore.Join(layout.Parameters, axes[axis], directionsPath, axis == 0 ? "x" : "y");
            var ignoresBiasAndNorm = layout.Parameters.Where(p => p.Role != ParameterRole.Filter)
                .All(p => flat.AsSpan((int)p.Offset, (int)p.Length).IndexOfAnyExcept(0f) < 0);
            components.Add(new DirectionVector(new DirectionRecipe
            {
                Kind = DirectionKind.Pca,
                Axis = axis,
                Normalization = DirectionNormalization.None,
                IgnoreBiasAndNorm = ignoresBiasAndNorm,
                CheckpointSha256 = referenceSha256,
            }, flat));
        }

        var (ratios, singular, variance) = Hdf5Storage.Read(directionsPath, file => (
            RequiredVector(directionsPath, file, ExplainedVarianceRatioName),
            RequiredVector(directionsPath, file, SingularValuesName),
            file.LinkExists(ExplainedVarianceName) ? Vector(directionsPath, file, ExplainedVarianceName) : null));

        double[]? x = null, y = null;
        if (projectionPath is not null)
        {
            (x, y) = Hdf5Storage.Read(projectionPath, file => (
                RequiredVector(projectionPath, file, ProjectionXName),
                RequiredVector(projectionPath, file, ProjectionYName)));
            if (x.Length != y.Length)
                throw new InvalidDataException($"'{projectionPath}' has {x.Length} x but {y.Length} y coordinates.");
        }
        return new PaperPcaContent(components, ratios, singular, variance, x, y);
    }

    private static H5Group ToGroup(IReadOnlyList<DirectionTensor> tensors)
    {
        var group = new H5Group();
        for (var i = 0; i < tensors.Count; i++)
        {
            group[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] =
                new H5Dataset(tensors[i].Data, fileDims: tensors[i].Shape.Select(size => (ulong)size).ToArray());
        }
        return group;
    }

    private static double[] RequiredVector(string path, IH5Group file, string name) =>
        file.LinkExists(name) ? Vector(path, file, name) : throw new InvalidDataException($"'{path}' has no '{name}' dataset.");

    /// <summary>
    /// The most values one of the files' vectors may hold: a component's variances have one or two, a
    /// projection one per checkpoint of the training run, and no run keeps a million checkpoints.
    /// </summary>
    public const int MaxVectorLength = 1 << 20;

    private static double[] Vector(string path, IH5Group file, string name)
    {
        var dataset = file.Dataset(name);
        var shape = Hdf5Storage.Shape(dataset);
        if (shape.Length > 1)
            throw new InvalidDataException($"'{name}' in '{path}' has shape {Hdf5Storage.ShapeText(shape)}; expected a 1D array.");
        Hdf5Storage.RequireAtMost(dataset, MaxVectorLength, $"'{name}' in '{path}'");
        return Hdf5Storage.ReadDoubles(dataset, $"'{name}' in '{path}'");
    }
}
