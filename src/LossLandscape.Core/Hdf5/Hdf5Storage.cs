using PureHDF;
using PureHDF.VOL.Native;
using LossLandscape.Core.Common;

namespace LossLandscape.Core.Hdf5;

/// <summary>
/// The PureHDF plumbing shared by the surface and direction files: atomic whole-file writes,
/// opening with HDF5 errors reported as <see cref="InvalidDataException"/>, and numeric reads
/// that accept the integer and float types other writers (h5py, PyTorch state) produce.
/// </summary>
internal static class Hdf5Storage
{
    /// <summary>
    /// Writes next to the target and renames over it, so a reader never sees a half-written file
    /// and a failed write leaves the previous file as it was. PureHDF writes no timestamps, so
    /// the same content gives the same bytes.
    /// </summary>
    public static void WriteAtomically(string path, H5File file) => AtomicFile.WriteVia(path, temporary => file.Write(temporary));

    /// <summary>
    /// Opens an HDF5 file; a file that is not HDF5 (or that PureHDF cannot parse) becomes an
    /// <see cref="InvalidDataException"/> naming the file, while a missing or unreadable file keeps its I/O exception.
    /// A file with soft or external links is refused before PureHDF sees it (<see cref="Hdf5LinkWalk"/>).
    /// </summary>
    public static NativeFile OpenRead(string path)
    {
        RegularFile.Require(path, "HDF5 file");
        // One open file for the walk and for PureHDF, so a file swapped in after the walk is never read.
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096, FileOptions.RandomAccess);
        try
        {
            Hdf5LinkWalk.RequireHardLinksOnly(path, stream.SafeFileHandle);
            return H5File.Open(stream);
        }
        catch (Exception e)
        {
            stream.Dispose();
            if (e is InvalidDataException or IOException or UnauthorizedAccessException) throw;
            throw new InvalidDataException($"'{path}' is not a readable HDF5 file: {e.Message}", e);
        }
    }

    /// <summary>
    /// Runs a read over an open file, turning PureHDF's own exceptions (unsupported or corrupt
    /// structures found while walking the file) into <see cref="InvalidDataException"/>.
    /// </summary>
    public static T Read<T>(string path, Func<NativeFile, T> read)
    {
        using var file = OpenRead(path);
        try
        {
            return read(file);
        }
        catch (Exception e) when (e is not InvalidDataException and not IOException and not UnauthorizedAccessException)
        {
            throw new InvalidDataException($"'{path}' could not be read as HDF5: {e.Message}", e);
        }
    }

    /// <summary>
    /// The most bytes one string (a metadata attribute, <c>dir_file</c>) may declare. Ours hold a few
    /// kilobytes of JSON; the bound stops a header that declares gigabytes before they are allocated.
    /// </summary>
    public const long MaxStringBytes = 16L << 20;

    /// <summary>The dataset's shape as the file declares it; dimensions beyond <see cref="long.MaxValue"/> are refused.</summary>
    public static long[] Shape(IH5Dataset dataset) => dataset.Space.Dimensions
        .Select(d => d <= long.MaxValue ? (long)d : throw new InvalidDataException($"Dataset '{dataset.Name}' declares a dimension of {d}."))
        .ToArray();

    /// <summary>How many elements the dimensions declare, or null when the product exceeds <see cref="long.MaxValue"/>.</summary>
    public static long? ElementCount(IReadOnlyList<long> shape)
    {
        long count = 1;
        foreach (var size in shape)
        {
            if (size != 0 && count > long.MaxValue / size) return null;
            count *= size;
        }
        return count;
    }

    /// <summary>
    /// Refuses a dataset that declares more than <paramref name="budget"/> elements, before anything
    /// is read: the file's header alone decides what a read would allocate, so the bound must come
    /// from what the caller expects (the grid, the model's parameters), never from the file.
    /// </summary>
    public static void RequireAtMost(IH5Dataset dataset, long budget, string description)
    {
        var shape = Shape(dataset);
        if (ElementCount(shape) is not { } count || count > budget)
            throw new InvalidDataException($"{description} declares shape {ShapeText(shape)}, more than the {budget} elements expected; it is not read.");
    }

    /// <summary>Reads a string dataset or attribute after checking what it declares against <see cref="MaxStringBytes"/>.</summary>
    public static string ReadString(IH5DataType type, IH5Dataspace space, Func<string> read, string description)
    {
        var elements = space.Dimensions.Aggregate(1UL, (product, size) => size == 0 || product <= ulong.MaxValue / size ? product * size : ulong.MaxValue);
        if (elements != 1)
            throw new InvalidDataException($"{description} holds {elements} strings; expected one.");
        if (type.Class == H5DataTypeClass.String && type.Size > MaxStringBytes)
            throw new InvalidDataException($"{description} declares a string of {type.Size} bytes, more than the {MaxStringBytes} allowed.");
        var text = read();
        if (text.Length > MaxStringBytes)
            throw new InvalidDataException($"{description} holds a string of {text.Length} characters, more than the {MaxStringBytes} allowed.");
        return text;
    }

    public static string ShapeText(IReadOnlyList<long> shape) => "(" + string.Join(", ", shape) + ")";

    public static bool IsNumeric(IH5Dataset dataset) =>
        dataset.Type.Class is H5DataTypeClass.FloatingPoint or H5DataTypeClass.FixedPoint;

    /// <summary>
    /// Refuses chunked and virtual datasets. A chunk's filters (deflate) inflate it in full before its
    /// size is compared with anything, so a megabyte can become gigabytes; a virtual dataset reads other
    /// files. h5py's defaults (the paper's code) and our writer store every dataset contiguous or compact.
    /// </summary>
    public static void RequireContiguous(IH5Dataset dataset, string description)
    {
        if (dataset.Layout.Class is not (H5DataLayoutClass.Contiguous or H5DataLayoutClass.Compact))
            throw new InvalidDataException($"{description} is stored {dataset.Layout.Class}; only contiguous or compact datasets are read, since a compressed chunk could inflate without bound.");
    }

    /// <summary>Reads any float or integer dataset, flattened in row-major order, as doubles.</summary>
    public static double[] ReadDoubles(IH5Dataset dataset, string description)
    {
        RequireContiguous(dataset, description);
        var type = dataset.Type;
        return (type.Class, type.Size, type.Class == H5DataTypeClass.FixedPoint && type.FixedPoint.IsSigned) switch
        {
            (H5DataTypeClass.FloatingPoint, 8, _) => dataset.Read<double[]>(),
            (H5DataTypeClass.FloatingPoint, 4, _) => Array.ConvertAll(dataset.Read<float[]>(), v => (double)v),
            (H5DataTypeClass.FixedPoint, 1, true) => Array.ConvertAll(dataset.Read<sbyte[]>(), v => (double)v),
            (H5DataTypeClass.FixedPoint, 1, false) => Array.ConvertAll(dataset.Read<byte[]>(), v => (double)v),
            (H5DataTypeClass.FixedPoint, 2, true) => Array.ConvertAll(dataset.Read<short[]>(), v => (double)v),
            (H5DataTypeClass.FixedPoint, 2, false) => Array.ConvertAll(dataset.Read<ushort[]>(), v => (double)v),
            (H5DataTypeClass.FixedPoint, 4, true) => Array.ConvertAll(dataset.Read<int[]>(), v => (double)v),
            (H5DataTypeClass.FixedPoint, 4, false) => Array.ConvertAll(dataset.Read<uint[]>(), v => (double)v),
            (H5DataTypeClass.FixedPoint, 8, true) => Array.ConvertAll(dataset.Read<long[]>(), v => (double)v),
            (H5DataTypeClass.FixedPoint, 8, false) => Array.ConvertAll(dataset.Read<ulong[]>(), v => (double)v),
            _ => throw new InvalidDataException($"{description} has HDF5 type {type.Class} of {type.Size} bytes; expected a float or integer type."),
        };
    }

    /// <summary>
    /// Whether a dataset or attribute holds strings, fixed or variable length. PureHDF's public type
    /// model shows a variable-length string only as a variable-length sequence of 1-byte integers,
    /// so such a sequence (which neither h5py's nor our writers produce for these files) counts as a string too.
    /// </summary>
    public static bool IsString(IH5DataType type) => type.Class == H5DataTypeClass.String
        || (type.Class == H5DataTypeClass.VariableLength && type.VariableLength.BaseType is { Class: H5DataTypeClass.FixedPoint, Size: 1 });
}
