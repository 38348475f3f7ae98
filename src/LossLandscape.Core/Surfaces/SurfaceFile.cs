using LossLandscape.Core.Hdf5;
using PureHDF;

namespace LossLandscape.Core.Surfaces;

/// <summary>
/// Reads and writes loss-surface HDF5 files in the layout of the paper's code
/// (tomgoldstein/loss-landscape): <c>xcoordinates</c>, <c>ycoordinates</c> (2D only), the value
/// grids, and <c>dir_file</c>; plus our <c>computed</c> mask and root string attributes.
/// </summary>
/// <remarks>
/// 2D grids are written with shape (len(y), len(x)), element [i, j] at (x[j], y[i]), which is what
/// the paper's plotting expects. The paper's own writer creates them with shape (len(x), len(y))
/// but fills them in meshgrid(x, y) ravel order, so its flat buffer means the same thing; reading
/// accepts either shape and keeps the flat order. A file without a <c>computed</c> dataset is
/// taken to be the paper's: a cell is not computed exactly when its <c>train_loss</c> is −1 (the
/// value the paper initialises every cell to); without <c>train_loss</c>, a file of the paper's
/// <c>plot_hessian_eig.py</c> (<c>max_eig</c> initialised to −1, <c>min_eig</c> to +1) has a cell
/// computed exactly when its <c>max_eig</c> is not −1; with neither, nothing is computed.
/// </remarks>
public static class SurfaceFile
{
    public const string XCoordinatesName = "xcoordinates";
    public const string YCoordinatesName = "ycoordinates";
    public const string ComputedName = "computed";
    public const string DirectionFileName = "dir_file";
    public const string TrainLossName = "train_loss";
    public const string MaxEigenvalueName = "max_eig";
    public const string MinEigenvalueName = "min_eig";
    public const string EigenvalueRatioName = "eig_ratio";

    /// <summary>The group of every direction draw (-DirectionCount): each value grid and <c>computed</c> as (K, ny, nx), plus <see cref="SeedName"/> and the curvatures.</summary>
    public const string MembersName = "members";
    public const string SeedName = "seed";
    public const string XCurvatureName = "x_curvature";
    public const string YCurvatureName = "y_curvature";

    /// <summary>The value grids a surface file may hold, in the order they are written.</summary>
    public static IReadOnlyList<string> ValueNames { get; } = [TrainLossName, "train_acc", "test_loss", "test_acc", MaxEigenvalueName, MinEigenvalueName, EigenvalueRatioName];

    private const double PaperNotComputed = -1;

    /// <summary>What our files hold in cells not computed (the paper's files hold −1).</summary>
    public const double NotComputedFill = double.NaN;

    /// <exception cref="ArgumentException">The content's lengths or names do not agree.</exception>
    public static void Write(string path, SurfaceFileContent content)
    {
        ArgumentNullException.ThrowIfNull(path);
        Validate(content);
        var shape = content.Y is null ? new[] { (ulong)content.X.Length } : new[] { (ulong)content.Y.Length, (ulong)content.X.Length };

        var file = new H5File { [XCoordinatesName] = content.X };
        if (content.Y is not null)
        {
            file[YCoordinatesName] = content.Y;
        }
        foreach (var name in ValueNames.Where(content.Values.ContainsKey))
        {
            file[name] = new H5Dataset(content.Values[name], fileDims: shape);
        }
        file[ComputedName] = new H5Dataset(Array.ConvertAll(content.Computed, c => c ? (byte)1 : (byte)0), fileDims: shape);
        if (content.Members is { } members) file[MembersName] = MembersGroup(members, shape);
        file[DirectionFileName] = content.DirectionFile;
        Hdf5Attributes.Write(file, content.Attributes);
        Hdf5Storage.WriteAtomically(path, file);
    }

    private static H5Group MembersGroup(SurfaceMembers members, ulong[] gridShape)
    {
        ulong[] shape = [(ulong)members.Count, .. gridShape];
        var group = new H5Group();
        foreach (var name in ValueNames.Where(members.Values.ContainsKey))
        {
            group[name] = new H5Dataset(members.Values[name], fileDims: shape);
        }
        group[ComputedName] = new H5Dataset(Array.ConvertAll(members.Computed, c => c ? (byte)1 : (byte)0), fileDims: shape);
        group[SeedName] = members.Seeds;
        group[XCurvatureName] = members.XCurvature;
        if (members.YCurvature is { } y) group[YCurvatureName] = y;
        return group;
    }

    /// <summary>The most points one axis of a file without our metadata may have (the paper's grids have 51 to 101).</summary>
    public const int MaxAxisPoints = 1 << 16;

    /// <summary>The most cells a surface file may hold: with seven value grids that is at most 230 MB of doubles.</summary>
    public const long MaxCells = 1L << 22;

    /// <exception cref="InvalidDataException">The file is not HDF5, lacks <c>xcoordinates</c>, or its shapes do not agree.</exception>
    public static SurfaceFileContent Read(string path) => Read(path, _ => null);

    /// <summary>Reads the file, sizing every dataset by the grid the attributes promise before anything else is read.</summary>
    /// <param name="expectedGrid">The x and y point counts the attributes (read first) declare, or null where they declare none; then the counts are only bounded by <see cref="MaxAxisPoints"/> and <see cref="MaxCells"/>.</param>
    /// <exception cref="InvalidDataException">The file is not HDF5, lacks <c>xcoordinates</c>, or its shapes do not agree with each other or with the expected grid.</exception>
    public static SurfaceFileContent Read(string path, Func<IReadOnlyDictionary<string, string>, (int X, int? Y)?> expectedGrid)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(expectedGrid);
        return Hdf5Storage.Read(path, file => ReadContent(path, file, expectedGrid));
    }

    private static SurfaceFileContent ReadContent(string path, IH5Group file, Func<IReadOnlyDictionary<string, string>, (int X, int? Y)?> expectedGrid)
    {
        if (!file.LinkExists(XCoordinatesName))
        {
            throw new InvalidDataException($"'{path}' is not a surface file: it has no '{XCoordinatesName}' dataset.");
        }
        var attributes = Hdf5Attributes.Read(file);
        var expected = expectedGrid(attributes);
        var hasY = file.LinkExists(YCoordinatesName);
        if (expected is { } grid && hasY != grid.Y.HasValue)
        {
            throw new InvalidDataException($"'{path}' is {(hasY ? "2D" : "1D")} but its metadata describes a {(grid.Y.HasValue ? "2D" : "1D")} surface.");
        }
        var x = ReadCoordinates(path, file, XCoordinatesName, expected?.X);
        var y = hasY ? ReadCoordinates(path, file, YCoordinatesName, expected?.Y) : null;
        if ((long)x.Length * (y?.Length ?? 1) > MaxCells)
        {
            throw new InvalidDataException($"'{path}' has a grid of {x.Length} × {y?.Length ?? 1} points, more than the {MaxCells} cells a surface file may hold.");
        }

        var values = new Dictionary<string, double[]>();
        foreach (var name in ValueNames.Where(file.LinkExists))
        {
            var dataset = file.Dataset(name);
            RequireGridShape(path, dataset, name, x, y);
            values[name] = Hdf5Storage.ReadDoubles(dataset, $"'{name}' in '{path}'");
        }

        bool[] computed;
        if (file.LinkExists(ComputedName))
        {
            var dataset = file.Dataset(ComputedName);
            RequireGridShape(path, dataset, ComputedName, x, y);
            computed = Array.ConvertAll(Hdf5Storage.ReadDoubles(dataset, $"'{ComputedName}' in '{path}'"), c => c != 0);
            RequireFillWhereNotComputed(path, values, computed);
        }
        else
        {
            computed = values.TryGetValue(TrainLossName, out var losses)
                ? Array.ConvertAll(losses, loss => loss != PaperNotComputed)
                : values.TryGetValue(MaxEigenvalueName, out var largest)
                    ? Array.ConvertAll(largest, eigenvalue => eigenvalue != PaperNotComputed)
                    : new bool[x.Length * (y?.Length ?? 1)];
        }

        var members = file.LinkExists(MembersName) ? ReadMembers(path, file.Group(MembersName), values.Keys, x, y) : null;
        return new SurfaceFileContent(x, y, values, computed, ReadDirectionFile(path, file), attributes) { Members = members };
    }

    private static SurfaceMembers ReadMembers(string path, IH5Group group, IEnumerable<string> names, double[] x, double[]? y)
    {
        var cells = x.Length * (y?.Length ?? 1);
        var where = $"'{MembersName}' in '{path}'";
        if (!group.LinkExists(SeedName) || !group.LinkExists(ComputedName) || !group.LinkExists(XCurvatureName) || (y is not null) != group.LinkExists(YCurvatureName))
            throw new InvalidDataException($"{where} lacks '{SeedName}', '{ComputedName}' or a curvature of each direction.");
        var seedDataset = group.Dataset(SeedName);
        var seedShape = Hdf5Storage.Shape(seedDataset);
        if (seedShape.Length != 1 || seedShape[0] < 2 || seedShape[0] > MaxCells / cells)
            throw new InvalidDataException($"'{SeedName}' in {where} has shape {Hdf5Storage.ShapeText(seedShape)}; expected 2 or more draws, at most {MaxCells / cells} for this grid.");
        if (seedDataset.Type is not { Class: H5DataTypeClass.FixedPoint, Size: 8 } || !seedDataset.Type.FixedPoint.IsSigned)
            throw new InvalidDataException($"'{SeedName}' in {where} is not a 64-bit signed integer array.");
        Hdf5Storage.RequireContiguous(seedDataset, $"'{SeedName}' in {where}");
        var seeds = seedDataset.Read<long[]>();
        var count = seeds.Length;
        long[] gridShape = y is null ? [count, x.Length] : [count, y.Length, x.Length];

        double[] ReadGrid(string name)
        {
            var dataset = group.Dataset(name);
            var shape = Hdf5Storage.Shape(dataset);
            if (!shape.SequenceEqual(gridShape))
                throw new InvalidDataException($"'{name}' in {where} has shape {Hdf5Storage.ShapeText(shape)}; expected {Hdf5Storage.ShapeText(gridShape)}.");
            return Hdf5Storage.ReadDoubles(dataset, $"'{name}' in {where}");
        }

        double[] ReadPerDraw(string name)
        {
            var dataset = group.Dataset(name);
            var shape = Hdf5Storage.Shape(dataset);
            if (shape.Length != 1 || shape[0] != count)
                throw new InvalidDataException($"'{name}' in {where} has shape {Hdf5Storage.ShapeText(shape)}; expected ({count}), one value per draw.");
            return Hdf5Storage.ReadDoubles(dataset, $"'{name}' in {where}");
        }

        var values = new Dictionary<string, double[]>();
        foreach (var name in names)
        {
            if (!group.LinkExists(name)) throw new InvalidDataException($"{where} lacks '{name}', which the surface holds.");
            values[name] = ReadGrid(name);
        }
        var computed = Array.ConvertAll(ReadGrid(ComputedName), c => c != 0);
        RequireFillWhereNotComputed($"{path}/{MembersName}", values, computed);
        return new SurfaceMembers(seeds, values, computed, ReadPerDraw(XCurvatureName), y is null ? null : ReadPerDraw(YCurvatureName));
    }

    /// <summary>
    /// A computed cell may hold any value (a diverged point is NaN or infinite); a cell marked not
    /// computed holds NotComputedFill, so a value there means the mask and the grids disagree and
    /// one of them cannot be trusted.
    /// </summary>
    private static void RequireFillWhereNotComputed(string path, IReadOnlyDictionary<string, double[]> values, bool[] computed)
    {
        foreach (var (name, grid) in values)
        {
            for (var i = 0; i < grid.Length; i++)
            {
                if (computed[i] || double.IsNaN(grid[i])) continue;
                throw new InvalidDataException($"'{name}' in '{path}' holds {grid[i]} at cell {i}, which '{ComputedName}' marks as not computed; cells not computed hold {NotComputedFill}.");
            }
        }
    }

    private static double[] ReadCoordinates(string path, IH5Group file, string name, int? expected)
    {
        var dataset = file.Dataset(name);
        var shape = Hdf5Storage.Shape(dataset);
        if (shape.Length != 1 || shape[0] == 0)
        {
            throw new InvalidDataException($"'{name}' in '{path}' has shape {Hdf5Storage.ShapeText(shape)}; expected a non-empty 1D array.");
        }
        if (expected is { } count && shape[0] != count)
        {
            throw new InvalidDataException($"'{name}' in '{path}' has {shape[0]} points but the file's metadata describes {count}.");
        }
        Hdf5Storage.RequireAtMost(dataset, MaxAxisPoints, $"'{name}' in '{path}'");
        return Hdf5Storage.ReadDoubles(dataset, $"'{name}' in '{path}'");
    }

    private static void RequireGridShape(string path, IH5Dataset dataset, string name, double[] x, double[]? y)
    {
        var shape = Hdf5Storage.Shape(dataset);
        var fits = y is null
            ? shape.Length == 1 && shape[0] == x.Length
            : shape.Length == 2 && ((shape[0] == y.Length && shape[1] == x.Length) || (shape[0] == x.Length && shape[1] == y.Length));
        if (!fits)
        {
            var expected = y is null ? $"({x.Length})" : $"({y.Length}, {x.Length})";
            throw new InvalidDataException($"'{name}' in '{path}' has shape {Hdf5Storage.ShapeText(shape)}, which does not match the coordinates; expected {expected}.");
        }
    }

    private static string ReadDirectionFile(string path, IH5Group file)
    {
        if (!file.LinkExists(DirectionFileName))
        {
            return "";
        }
        var dataset = file.Dataset(DirectionFileName);
        if (!Hdf5Storage.IsString(dataset.Type))
        {
            throw new InvalidDataException($"'{DirectionFileName}' in '{path}' is not a string.");
        }
        Hdf5Storage.RequireContiguous(dataset, $"'{DirectionFileName}' in '{path}'");
        return Hdf5Storage.ReadString(dataset.Type, dataset.Space, () => dataset.Read<string>(), $"'{DirectionFileName}' in '{path}'");
    }

    private static void Validate(SurfaceFileContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(content.X, nameof(content.X));
        ArgumentNullException.ThrowIfNull(content.Values, nameof(content.Values));
        ArgumentNullException.ThrowIfNull(content.Computed, nameof(content.Computed));
        ArgumentNullException.ThrowIfNull(content.DirectionFile, nameof(content.DirectionFile));
        ArgumentNullException.ThrowIfNull(content.Attributes, nameof(content.Attributes));
        if (content.X.Length == 0)
        {
            throw new ArgumentException("The surface needs at least one x coordinate.", nameof(content));
        }
        if (content.Y is { Length: 0 })
        {
            throw new ArgumentException("A 2D surface needs at least one y coordinate; use null Y for a 1D surface.", nameof(content));
        }
        var grid = content.Y is null ? $"{content.X.Length} x-points" : $"{content.Y.Length} y-points × {content.X.Length} x-points";
        foreach (var (name, values) in content.Values)
        {
            if (!ValueNames.Contains(name))
            {
                throw new ArgumentException($"'{name}' is not a surface value name; use one of {string.Join(", ", ValueNames)}.", nameof(content));
            }
            if (values is null || values.Length != content.CellCount)
            {
                throw new ArgumentException($"'{name}' has {values?.Length ?? 0} values but the grid ({grid}) has {content.CellCount} cells.", nameof(content));
            }
        }
        if (content.Computed.Length != content.CellCount)
        {
            throw new ArgumentException($"Computed has {content.Computed.Length} entries but the grid ({grid}) has {content.CellCount} cells.", nameof(content));
        }
        Hdf5Attributes.Validate(content.Attributes, nameof(content));
        if (content.Members is { } members)
        {
            members.Validate(content.CellCount);
            if (!members.Values.Keys.Order().SequenceEqual(content.Values.Keys.Order()))
                throw new ArgumentException("The members must hold the same value grids as the surface.", nameof(content));
        }
    }
}
