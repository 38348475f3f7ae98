using System.Globalization;
using LossLandscape.Core.Hdf5;
using PureHDF;

namespace LossLandscape.Core.Directions;

/// <summary>
/// Reads and writes direction HDF5 files in the layout of the paper's code
/// (tomgoldstein/loss-landscape): groups <c>xdirection</c> and (2D) <c>ydirection</c>, each with
/// float32 datasets named '0' … 'K−1', one per tensor with that tensor's shape.
/// </summary>
/// <remarks>
/// Tensors are read in numeric order of their names ('2' before '10'), never in the order the
/// file lists them. Datasets of other numeric types are converted to float: the paper's "states"
/// directions can hold integer entries such as BatchNorm's 0-d int64 <c>num_batches_tracked</c>,
/// and float64 values are rounded to float32.
/// </remarks>
public static class DirectionFile
{
    public const string XDirectionName = "xdirection";
    public const string YDirectionName = "ydirection";

    /// <exception cref="ArgumentException">A tensor's data does not match its shape, or the two directions differ in shapes.</exception>
    public static void Write(string path, DirectionFileContent content)
    {
        ArgumentNullException.ThrowIfNull(path);
        Validate(content);
        var file = new H5File { [XDirectionName] = ToGroup(content.X) };
        if (content.Y is not null)
        {
            file[YDirectionName] = ToGroup(content.Y);
        }
        Hdf5Attributes.Write(file, content.Attributes);
        Hdf5Storage.WriteAtomically(path, file);
    }

    /// <summary>
    /// The most tensors one direction may hold. Generous (ResNet-110 has a few hundred), so that the
    /// file of another model is still read far enough for its shapes to be compared and named.
    /// </summary>
    public const int MaxTensors = 1 << 16;

    /// <summary>Reads both directions, refusing before any read a direction that declares more tensors than <see cref="MaxTensors"/> or more elements than the model can use.</summary>
    /// <param name="maxElements">The most values one direction may hold, summed over its tensors: the model's state size.</param>
    /// <exception cref="InvalidDataException">The file is not HDF5, lacks <c>xdirection</c>, its tensors are not named '0' … 'K−1' or do not agree, or it declares more than the budget.</exception>
    public static DirectionFileContent Read(string path, long maxElements)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegative(maxElements);
        return Hdf5Storage.Read(path, file =>
        {
            if (!file.LinkExists(XDirectionName))
            {
                throw new InvalidDataException($"'{path}' is not a direction file: it has no '{XDirectionName}' group.");
            }
            var x = ReadDirection(path, file.Group(XDirectionName), maxElements);
            var y = file.LinkExists(YDirectionName) ? ReadDirection(path, file.Group(YDirectionName), maxElements) : null;
            if (y is not null && ShapeMismatch(x, y) is { } mismatch)
            {
                throw new InvalidDataException($"'{path}': {mismatch}");
            }
            return new DirectionFileContent(x, y, Hdf5Attributes.Read(file));
        });
    }

    /// <summary>The shapes the x direction's tensors declare, in index order, read from the headers without any values.</summary>
    /// <exception cref="InvalidDataException">The file is not HDF5, lacks <c>xdirection</c>, or its tensors are not named '0' … 'K−1'.</exception>
    public static long[][] ReadShapes(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Hdf5Storage.Read(path, file =>
        {
            if (!file.LinkExists(XDirectionName))
            {
                throw new InvalidDataException($"'{path}' is not a direction file: it has no '{XDirectionName}' group.");
            }
            return OpenDatasets(path, file.Group(XDirectionName)).Select(Hdf5Storage.Shape).ToArray();
        });
    }

    private static H5Group ToGroup(IReadOnlyList<DirectionTensor> direction)
    {
        var group = new H5Group();
        for (var index = 0; index < direction.Count; index++)
        {
            var tensor = direction[index];
            group[DatasetName(index)] = new H5Dataset(tensor.Data, fileDims: tensor.Shape.Select(size => (ulong)size).ToArray());
        }
        return group;
    }

    private static string DatasetName(int index) => index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The group's datasets '0' … 'K−1', opened (headers only) in index order.</summary>
    private static IH5Dataset[] OpenDatasets(string path, IH5Group group)
    {
        var where = $"'{group.Name}' in '{path}'";
        var names = group.Children().Take(MaxTensors + 1).Select(child => child.Name).ToHashSet(StringComparer.Ordinal);
        if (names.Count > MaxTensors)
        {
            throw new InvalidDataException($"{where} holds more than {MaxTensors} tensors; no model has that many.");
        }
        if (names.Count == 0)
        {
            throw new InvalidDataException($"{where} holds no tensors.");
        }
        var datasets = new IH5Dataset[names.Count];
        for (var index = 0; index < datasets.Length; index++)
        {
            var name = DatasetName(index);
            if (!names.Contains(name))
            {
                throw new InvalidDataException($"{where} has {names.Count} entries but no dataset '{name}'; expected datasets named 0 to {names.Count - 1}.");
            }
            datasets[index] = group.Dataset(name);
        }
        return datasets;
    }

    private static DirectionTensor[] ReadDirection(string path, IH5Group group, long maxElements)
    {
        var where = $"'{group.Name}' in '{path}'";
        var datasets = OpenDatasets(path, group);
        var remaining = maxElements;
        for (var index = 0; index < datasets.Length; index++)
        {
            Hdf5Storage.RequireAtMost(datasets[index], remaining, $"Dataset '{DatasetName(index)}' of {where} (with the tensors before it)");
            remaining -= Hdf5Storage.ElementCount(Hdf5Storage.Shape(datasets[index]))!.Value;
        }
        var tensors = new DirectionTensor[datasets.Length];
        for (var index = 0; index < tensors.Length; index++)
        {
            var name = DatasetName(index);
            var dataset = datasets[index];
            var description = $"Dataset '{name}' of {where}";
            Hdf5Storage.RequireContiguous(dataset, description);
            var data = dataset.Type is { Class: H5DataTypeClass.FloatingPoint, Size: 4 }
                ? dataset.Read<float[]>()
                : Array.ConvertAll(Hdf5Storage.ReadDoubles(dataset, description), value => (float)value);
            tensors[index] = new DirectionTensor(data, Hdf5Storage.Shape(dataset));
        }
        return tensors;
    }

    private static void Validate(DirectionFileContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(content.Attributes, nameof(content.Attributes));
        ValidateDirection(content.X, "X");
        if (content.Y is not null)
        {
            ValidateDirection(content.Y, "Y");
            if (ShapeMismatch(content.X, content.Y) is { } mismatch)
            {
                throw new ArgumentException(mismatch, nameof(content));
            }
        }
        Hdf5Attributes.Validate(content.Attributes, nameof(content));
    }

    private static void ValidateDirection(IReadOnlyList<DirectionTensor> direction, string axis)
    {
        ArgumentNullException.ThrowIfNull(direction, axis);
        if (direction.Count == 0)
        {
            throw new ArgumentException($"Direction {axis} has no tensors.", axis);
        }
        for (var index = 0; index < direction.Count; index++)
        {
            var tensor = direction[index];
            if (tensor?.Data is null || tensor.Shape is null)
            {
                throw new ArgumentException($"Tensor {index} of direction {axis} has no data or no shape.", axis);
            }
            if (tensor.Shape.Any(size => size < 0))
            {
                throw new ArgumentException($"Tensor {index} of direction {axis} has a negative size in shape {Hdf5Storage.ShapeText(tensor.Shape)}.", axis);
            }
            if (tensor.Data.Length != tensor.ElementCount)
            {
                throw new ArgumentException($"Tensor {index} of direction {axis} has {tensor.Data.Length} values but shape {Hdf5Storage.ShapeText(tensor.Shape)} needs {tensor.ElementCount}.", axis);
            }
        }
    }

    private static string? ShapeMismatch(IReadOnlyList<DirectionTensor> x, IReadOnlyList<DirectionTensor> y)
    {
        if (x.Count != y.Count)
        {
            return $"The x direction has {x.Count} tensors but the y direction has {y.Count}.";
        }
        for (var index = 0; index < x.Count; index++)
        {
            if (!x[index].Shape.SequenceEqual(y[index].Shape))
            {
                return $"Tensor {index} has shape {Hdf5Storage.ShapeText(x[index].Shape)} in the x direction but {Hdf5Storage.ShapeText(y[index].Shape)} in the y direction.";
            }
        }
        return null;
    }
}
