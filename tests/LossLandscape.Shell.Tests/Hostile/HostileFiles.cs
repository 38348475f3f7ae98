using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using PureHDF;
using PureHDF.Filters;
using PureHDF.VOL.Native;

namespace LossLandscape.Shell.Tests.Hostile;

/// <summary>A hostile file and what reading it must report.</summary>
internal sealed record HostileFile(string Path, string ErrorId, string Category);

/// <summary>
/// Writes files that try to make a reader allocate what their headers declare (2^40 elements, 2^31
/// images), inflate a compressed chunk without end, follow links in circles, read gigantic or deeply
/// nested metadata, or block on a FIFO or device. HDF5 files are written with PureHDF and then
/// patched, since no writer produces a header that lies; everything is regenerated per test run, so
/// the files in the repository are this generator and nothing binary.
/// </summary>
internal static class HostileFiles
{
    /// <summary>A dimension no reader may believe: 2^40 elements, 8 TiB as doubles.</summary>
    public const ulong HugeDimension = 1UL << 40;

    /// <summary>The dimension written and then patched to <see cref="HugeDimension"/>: odd enough to occur nowhere else in a small file.</summary>
    private const ulong MarkerDimension = 777;

    /// <summary>How much a deflate bomb inflates to: 1 GiB from about 1 MB.</summary>
    private const int BombBytes = 1 << 30;

    private const string SurfaceInvalid = "SurfaceFileInvalid";
    private const string DirectionInvalid = "DirectionFileInvalid";
    private const string TrajectoryInvalid = "TrajectoryInvalid";
    private const string DatasetInvalid = "DatasetFileInvalid";
    private const string InvalidData = "InvalidData";

    // ---------------------------------------------------------------- surfaces

    /// <summary>Hostile surface files for Import-LossSurface, and a valid one (in the paper code's layout) to read after them.</summary>
    public static (IReadOnlyList<HostileFile> Hostile, string Valid) Surfaces(string folder)
    {
        Directory.CreateDirectory(folder);
        string At(string name) => System.IO.Path.Combine(folder, name);
        var axis = new double[] { -1, 0, 1 };
        var grid = new double[9];
        var files = new List<HostileFile>();
        void Add(string name, Action<string> write)
        {
            write(At(name));
            files.Add(new HostileFile(At(name), SurfaceInvalid, InvalidData));
        }

        Add("x-declares-2^40.h5", path => WritePatched(path, new H5File { ["xcoordinates"] = Marker() }));
        Add("y-declares-2^40.h5", path => WritePatched(path, new H5File { ["xcoordinates"] = axis, ["ycoordinates"] = Marker() }));
        Add("grid-declares-2^40.h5", path => WritePatched(path, new H5File { ["xcoordinates"] = axis, ["ycoordinates"] = axis, ["train_loss"] = Marker() }));
        Add("computed-declares-2^40.h5", path => WritePatched(path, new H5File { ["xcoordinates"] = axis, ["computed"] = Marker() }));
        Add("axes-of-2^17-points.h5", path => Write(path, new H5File { ["xcoordinates"] = new double[1 << 17] }));
        Add("metadata-incomplete-and-x-declares-2^40.h5", path => WritePatched(path, new H5File
        {
            ["xcoordinates"] = Marker(),
            Attributes = { ["losslandscape_metadata"] = """{"x":[0,1,2]}""" },
        }));
        Add("metadata-nested-100000-deep.h5", path => Write(path, new H5File
        {
            ["xcoordinates"] = axis,
            Attributes = { ["losslandscape_metadata"] = new string('[', 100_000) + new string(']', 100_000) },
        }));
        Add("attribute-of-20-MB.h5", path => Write(path, new H5File
        {
            ["xcoordinates"] = axis,
            Attributes = { ["comment"] = new string('a', 20 << 20) },
        }));
        Add("too-many-attributes.h5", path =>
        {
            var file = new H5File { ["xcoordinates"] = axis };
            for (var i = 0; i < 1000; i++) file.Attributes[$"a{i}"] = "x";
            Write(path, file);
        });
        Add("dir-file-of-20-MB.h5", path => Write(path, new H5File { ["xcoordinates"] = axis, ["dir_file"] = new string('d', 20 << 20) }));
        Add("deflate-bomb-grid.h5", path => WriteBomb(path, file =>
        {
            file["xcoordinates"] = axis;
            file["ycoordinates"] = axis;
            return "train_loss";
        }, [3, 3]));
        Add("not-hdf5.h5", path => File.WriteAllBytes(path, Encoding.ASCII.GetBytes("\u0089HDF\r\n\u001a\nthis is not a superblock")));
        Add("truncated.h5", path =>
        {
            Write(path, new H5File { ["xcoordinates"] = axis, ["ycoordinates"] = axis, ["train_loss"] = new H5Dataset(grid, fileDims: [3, 3]) });
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        });
        Add("soft-link-to-itself.h5", path => Write(path, new H5File { ["xcoordinates"] = new H5SoftLink("/xcoordinates") }));
        Add("soft-links-in-a-cycle.h5", path => Write(path, new H5File { ["xcoordinates"] = new H5SoftLink("/ycoordinates"), ["ycoordinates"] = new H5SoftLink("/xcoordinates") }));
        AddSpecialFiles(files, folder, ".h5", SurfaceInvalid);

        var valid = At("valid-paper-surface.h5");
        Write(valid, new H5File { ["xcoordinates"] = axis, ["ycoordinates"] = axis, ["train_loss"] = new H5Dataset(new double[] { 3, 2, 3, 2, 1, 2, 3, 2, 3 }, fileDims: [3, 3]) });
        return (files, valid);
    }

    // ---------------------------------------------------------------- directions

    /// <summary>Hostile direction files for Import-LandscapeDirection; a checkpoint has a few tensors, so each declares more, or loops, or blocks.</summary>
    public static IReadOnlyList<HostileFile> Directions(string folder)
    {
        Directory.CreateDirectory(folder);
        string At(string name) => System.IO.Path.Combine(folder, name);
        var files = new List<HostileFile>();
        void Add(string name, Action<string> write)
        {
            write(At(name));
            files.Add(new HostileFile(At(name), DirectionInvalid, InvalidData));
        }

        Add("tensor-declares-2^40.h5", path => WritePatched(path, new H5File { ["xdirection"] = new H5Group { ["0"] = MarkerFloats() } }));
        Add("tensor-declares-2^40-in-y.h5", path => WritePatched(path, new H5File
        {
            ["xdirection"] = new H5Group { ["0"] = new float[] { 1 } },
            ["ydirection"] = new H5Group { ["0"] = MarkerFloats() },
        }));
        Add("4000-tensors-of-a-thousand-values.h5", path =>
        {
            // Four million values in all, more than the checkpoint has: the budget is spent long before the last tensor.
            // Declared without data, so the file is a few hundred kilobytes.
            var group = new H5Group();
            for (var i = 0; i < 4000; i++) group[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new H5Dataset<float[]>(fileDims: [1000]);
            Write(path, new H5File { ["xdirection"] = group });
        });
        Add("deflate-bomb-tensor.h5", path => WriteBomb(path, file =>
        {
            var group = new H5Group();
            file["xdirection"] = group;
            return "xdirection/0";
        }, [16, 16]));
        Add("recipe-nested-100000-deep.h5", path => Write(path, new H5File
        {
            ["xdirection"] = new H5Group { ["0"] = new float[] { 1 } },
            Attributes = { ["losslandscape_recipe_x"] = new string('{', 1) + string.Concat(Enumerable.Repeat("\"a\":{", 100_000)) + new string('}', 100_001) },
        }));
        Add("attribute-of-20-MB.h5", path => Write(path, new H5File
        {
            ["xdirection"] = new H5Group { ["0"] = new float[] { 1 } },
            Attributes = { ["comment"] = new string('a', 20 << 20) },
        }));
        Add("not-hdf5.h5", path => File.WriteAllBytes(path, new byte[4096]));
        Add("soft-link-to-itself.h5", path => Write(path, new H5File { ["xdirection"] = new H5SoftLink("/xdirection") }));
        Add("soft-links-in-a-cycle.h5", path => Write(path, new H5File { ["xdirection"] = new H5SoftLink("/ydirection"), ["ydirection"] = new H5SoftLink("/xdirection") }));
        AddSpecialFiles(files, folder, ".h5", DirectionInvalid);
        return files;
    }

    // ---------------------------------------------------------------- PCA

    /// <summary>
    /// Hostile PCA directions files for Import-TrajectoryPCA, built around the tensors of
    /// <paramref name="validDirections"/> (a file Export-TrajectoryPCA wrote) so that each fails only
    /// where it is hostile.
    /// </summary>
    public static IReadOnlyList<HostileFile> Pca(string folder, string validDirections)
    {
        Directory.CreateDirectory(folder);
        string At(string name) => System.IO.Path.Combine(folder, name);
        var tensors = ReadTensors(validDirections);
        H5Group Direction()
        {
            var group = new H5Group();
            for (var i = 0; i < tensors.Count; i++) group[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new H5Dataset(tensors[i].Data, fileDims: tensors[i].Shape);
            return group;
        }
        var files = new List<HostileFile>();
        void Add(string name, Action<string> write)
        {
            write(At(name));
            files.Add(new HostileFile(At(name), TrajectoryInvalid, InvalidData));
        }

        Add("variance-ratio-declares-2^40.h5", path => WritePatched(path, new H5File
        {
            ["xdirection"] = Direction(),
            ["explained_variance_ratio_"] = Marker(),
            ["singular_values_"] = new double[] { 1 },
        }));
        Add("singular-values-declare-2^40.h5", path => WritePatched(path, new H5File
        {
            ["xdirection"] = Direction(),
            ["explained_variance_ratio_"] = new double[] { 1 },
            ["singular_values_"] = Marker(),
        }));
        Add("component-tensor-declares-2^40.h5", path => WritePatched(path, new H5File
        {
            ["xdirection"] = new H5Group { ["0"] = MarkerFloats() },
            ["explained_variance_ratio_"] = new double[] { 1 },
            ["singular_values_"] = new double[] { 1 },
        }));
        Add("deflate-bomb-variance.h5", path => WriteBomb(path, file =>
        {
            file["xdirection"] = Direction();
            file["singular_values_"] = new double[] { 1 };
            return "explained_variance_ratio_";
        }, [64]));
        Add("soft-link-to-itself.h5", path => Write(path, new H5File
        {
            ["xdirection"] = Direction(),
            ["explained_variance_ratio_"] = new H5SoftLink("/explained_variance_ratio_"),
            ["singular_values_"] = new double[] { 1 },
        }));
        Add("soft-links-in-a-cycle.h5", path => Write(path, new H5File
        {
            ["xdirection"] = Direction(),
            ["explained_variance_ratio_"] = new H5SoftLink("/singular_values_"),
            ["singular_values_"] = new H5SoftLink("/explained_variance_ratio_"),
        }));
        AddSpecialFiles(files, folder, ".h5", TrajectoryInvalid);
        return files;
    }

    // ---------------------------------------------------------------- data folders

    /// <summary>
    /// Hostile data folders for Get-LandscapeDataset -Split Test, each named '*.Mnist' or '*.Cifar10'
    /// after its format, and a valid folder of each format.
    /// </summary>
    public static (IReadOnlyList<HostileFile> Hostile, IReadOnlyList<string> Valid) DataFolders(string root)
    {
        var files = new List<HostileFile>();
        string Folder(string name, Action<string> fill)
        {
            var folder = System.IO.Path.Combine(root, name);
            Directory.CreateDirectory(folder);
            fill(folder);
            return folder;
        }
        void Add(string name, Action<string> fill) => files.Add(new HostileFile(Folder(name, fill), DatasetInvalid, InvalidData));
        const string images = "t10k-images-idx3-ubyte", labels = "t10k-labels-idx1-ubyte";

        Add("images-declare-2^31-items.Mnist", f => { File.WriteAllBytes(Path(f, images), IdxImages(int.MaxValue, 28, 28, 0)); File.WriteAllBytes(Path(f, labels), IdxLabels(int.MaxValue, 0)); });
        Add("gzipped-images-declare-2^31-items.Mnist", f => { File.WriteAllBytes(Path(f, images + ".gz"), Gzip(IdxImages(int.MaxValue, 28, 28, 0))); File.WriteAllBytes(Path(f, labels), IdxLabels(2, 2)); });
        Add("images-of-65535x65535.Mnist", f => { File.WriteAllBytes(Path(f, images), IdxImages(1, 65535, 65535, 0)); File.WriteAllBytes(Path(f, labels), IdxLabels(1, 1)); });
        Add("labels-declare-2^31-items.Mnist", f => { File.WriteAllBytes(Path(f, images), IdxImages(2, 28, 28, 2)); File.WriteAllBytes(Path(f, labels), IdxLabels(int.MaxValue, 0)); });
        Add("gzip-bomb-images.Mnist", f =>
        {
            using (var output = new GZipStream(File.Create(Path(f, images + ".gz")), CompressionLevel.Optimal))
            {
                output.Write(IdxImages(2, 28, 28, 2));
                WriteZeros(output, BombBytes);
            }
            File.WriteAllBytes(Path(f, labels), IdxLabels(2, 2));
        });
        Add("gzip-bomb-labels.Mnist", f =>
        {
            File.WriteAllBytes(Path(f, images), IdxImages(2, 28, 28, 2));
            using var output = new GZipStream(File.Create(Path(f, labels + ".gz")), CompressionLevel.Optimal);
            output.Write(IdxLabels(2, 2));
            WriteZeros(output, BombBytes);
        });
        Add("gzip-not-gzip.Mnist", f => { File.WriteAllBytes(Path(f, images + ".gz"), new byte[] { 0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }); File.WriteAllBytes(Path(f, labels), IdxLabels(2, 2)); });
        Add("images-truncated.Mnist", f => { File.WriteAllBytes(Path(f, images), IdxImages(1000, 28, 28, 2)); File.WriteAllBytes(Path(f, labels), IdxLabels(1000, 2)); });
        Add("images-fifo.Mnist", f => { MakeFifo(Path(f, images)); File.WriteAllBytes(Path(f, labels), IdxLabels(2, 2)); });
        Add("images-are-dev-zero.Mnist", f => { File.CreateSymbolicLink(Path(f, images), "/dev/zero"); File.WriteAllBytes(Path(f, labels), IdxLabels(2, 2)); });
        Add("pickle-calls-os-system.Cifar10", f => File.WriteAllBytes(Path(f, "test_batch"), Encoding.Latin1.GetBytes("\u0080\u0002cposix\nsystem\nX\u0011\u0000\u0000\u0000touch PWNED-CIFAR\u0085R.")));
        Add("pickle-of-300-MB.Cifar10", f => Sparse(Path(f, "test_batch"), 300L << 20));
        Add("binary-of-2-GB.Cifar10", f => Sparse(Path(f, "test_batch.bin"), 700_000L * 3073));
        Add("binary-fifo.Cifar10", f => MakeFifo(Path(f, "test_batch.bin")));
        Add("binary-is-dev-urandom.Cifar10", f => File.CreateSymbolicLink(Path(f, "test_batch.bin"), "/dev/urandom"));
        Add("binary-label-200.Cifar10", f => { var records = new byte[3 * 3073]; records[3073] = 200; File.WriteAllBytes(Path(f, "test_batch.bin"), records); });

        var validMnist = Folder("valid.Mnist", WriteValidMnistTestSplit);
        var validCifar = Folder("valid.Cifar10", f => File.WriteAllBytes(Path(f, "test_batch.bin"), new byte[4 * 3073]));
        return (files, [validMnist, validCifar]);
    }

    /// <summary>An MNIST test split of three blank 28×28 images, the images gzipped.</summary>
    public static void WriteValidMnistTestSplit(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path(folder, "t10k-images-idx3-ubyte.gz"), Gzip(IdxImages(3, 28, 28, 3)));
        File.WriteAllBytes(Path(folder, "t10k-labels-idx1-ubyte"), IdxLabels(3, 3));
    }

    // ---------------------------------------------------------------- helpers

    private static string Path(string folder, string name) => System.IO.Path.Combine(folder, name);

    /// <summary>A FIFO, a link to /dev/zero and a folder with the reader's extension: none is a regular file.</summary>
    private static void AddSpecialFiles(List<HostileFile> files, string folder, string extension, string errorId)
    {
        var fifo = Path(folder, "fifo" + extension);
        MakeFifo(fifo);
        var device = Path(folder, "dev-zero" + extension);
        File.CreateSymbolicLink(device, "/dev/zero");
        var directory = Path(folder, "directory" + extension);
        Directory.CreateDirectory(directory);
        files.AddRange([new(fifo, errorId, InvalidData), new(device, errorId, InvalidData), new(directory, errorId, InvalidData)]);
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        if (mkfifo.ExitCode != 0) throw new InvalidOperationException($"mkfifo {path} failed.");
    }

    /// <summary>A file of <paramref name="length"/> bytes that takes no disk space.</summary>
    private static void Sparse(string path, long length)
    {
        using var file = File.Create(path);
        file.SetLength(length);
    }

    private static void WriteZeros(Stream output, long count)
    {
        var zeros = new byte[1 << 20];
        for (long written = 0; written < count; written += zeros.Length) output.Write(zeros);
    }

    private static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest)) gzip.Write(content);
        return buffer.ToArray();
    }

    /// <summary>An idx images file whose header declares <paramref name="count"/> images but holds <paramref name="held"/>.</summary>
    private static byte[] IdxImages(int count, int rows, int columns, int held)
    {
        var bytes = new byte[16 + (long)held * rows * columns];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x803);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), columns);
        return bytes;
    }

    private static byte[] IdxLabels(int count, int held)
    {
        var bytes = new byte[8 + held];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x801);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        return bytes;
    }

    private static double[] Marker() => new double[MarkerDimension];

    private static float[] MarkerFloats() => new float[MarkerDimension];

    private static void Write(string path, H5File file) => file.Write(path);

    /// <summary>Writes the file, then turns every 64-bit <see cref="MarkerDimension"/> (a dataspace's dimension and maximum) into <see cref="HugeDimension"/>.</summary>
    private static void WritePatched(string path, H5File file)
    {
        file.Write(path);
        var bytes = File.ReadAllBytes(path);
        var marker = BitConverter.GetBytes(MarkerDimension);
        var patched = 0;
        for (var i = bytes.AsSpan().IndexOf(marker); i >= 0; i = bytes.AsSpan(i + 8).IndexOf(marker) is var next and >= 0 ? i + 8 + next : -1)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i), HugeDimension);
            patched++;
        }
        if (patched is < 1 or > 2) throw new InvalidOperationException($"Expected the marker dimension once or twice in {path}, found it {patched} times.");
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>
    /// A chunked, deflated dataset of <paramref name="dims"/> doubles whose one chunk inflates to
    /// <see cref="BombBytes"/>: written through a stand-in for the deflate filter that emits the bomb
    /// instead of compressing, so the file is otherwise exactly what PureHDF writes.
    /// </summary>
    private static void WriteBomb(string path, Func<H5File, string> build, ulong[] dims)
    {
        var file = new H5File();
        var name = build(file);
        var elements = (int)dims.Aggregate(1UL, (product, size) => product * size);
        var dataset = new H5Dataset(new double[elements], fileDims: dims, chunks: dims.Select(d => (uint)d).ToArray(),
            datasetCreation: new H5DatasetCreation(Filters: [new H5Filter(DeflateFilter.Id)]));
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0) file[name] = dataset;
        else ((H5Group)file[name[..slash]])[name[(slash + 1)..]] = dataset;
        H5Filter.Register(new BombFilter());
        try
        {
            file.Write(path);
        }
        finally
        {
            H5Filter.ResetRegistrations();
        }
    }

    private static byte[]? bomb;

    private static byte[] Bomb()
    {
        if (bomb is not null) return bomb;
        using var buffer = new MemoryStream();
        using (var zlib = new ZLibStream(buffer, CompressionLevel.SmallestSize)) WriteZeros(zlib, BombBytes);
        return bomb = buffer.ToArray();
    }

    private sealed class BombFilter : IH5Filter
    {
        public ushort FilterId => DeflateFilter.Id;

        public string Name => "deflate";

        public uint[] GetParameters(uint[] chunkDimensions, uint typeSize, Dictionary<string, object>? options) => [9];

        public Memory<byte> Filter(FilterInfo info) => Bomb();
    }

    private static IReadOnlyList<(float[] Data, ulong[] Shape)> ReadTensors(string path)
    {
        using var file = H5File.OpenRead(path);
        var group = file.Group("xdirection");
        return Enumerable.Range(0, group.Children().Count())
            .Select(i => group.Dataset(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Select(d => (d.Read<float[]>(), d.Space.Dimensions))
            .ToArray();
    }
}
