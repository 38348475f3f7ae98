using System.Buffers.Binary;
using System.IO.Compression;
using LossLandscape.Core.Common;

namespace LossLandscape.Core.Data;

/// <summary>
/// MNIST or Fashion-MNIST in the idx format (the two share the layout and file names):
/// <c>train-images-idx3-ubyte</c> and <c>train-labels-idx1-ubyte</c> (train),
/// <c>t10k-images-idx3-ubyte</c> and <c>t10k-labels-idx1-ubyte</c> (test), each as is or gzipped with
/// a <c>.gz</c> suffix (the plain file wins when both exist). Headers are big-endian: magic 2051
/// (0x00000803: unsigned bytes, 3 dimensions) then count, rows, columns for images; magic 2049
/// (0x00000801) then count for labels. Images are row-major, one channel, 10 classes; the height and
/// width come from the header (28×28 for both data sets). Pixels are scaled to [0, 1] by dividing by
/// 255, as torchvision's ToTensor does (the paper does not use MNIST, so there is no normalization to copy).
/// </summary>
public static class MnistFolder
{
    public const int ImagesMagic = 0x00000803;
    public const int LabelsMagic = 0x00000801;
    public const int ClassCount = 10;
    public const string GzipSuffix = ".gz";

    private const int ImagesHeaderBytes = 16;
    private const int LabelsHeaderBytes = 8;

    public static (string Images, string Labels) FileNames(DatasetSplit split) => split == DatasetSplit.Test
        ? ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
        : ("train-images-idx3-ubyte", "train-labels-idx1-ubyte");

    private static string AllFileNames => string.Join(", ", new[] { DatasetSplit.Train, DatasetSplit.Test }.SelectMany(split => new[] { FileNames(split).Images, FileNames(split).Labels }));

    /// <summary>Reads a split, decoding the files once while <paramref name="cache"/> keeps them.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file of the split is missing (plain and gzipped); the message names both files.</exception>
    /// <exception cref="InvalidDataException">Wrong magic number, truncated or overlong file, image and label counts that differ, or a label above 9.</exception>
    public static DatasetArrays Load(DatasetCache cache, string folder, DatasetSplit split)
    {
        var (imagesName, labelsName) = FileNames(split);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"The MNIST folder '{folder}' does not exist. It should hold {AllFileNames}, each as is or gzipped ({GzipSuffix}).");
        string[] files = [Find(folder, imagesName, split), Find(folder, labelsName, split)];
        return cache.GetOrRead(files, () => Read(files[0], files[1]));
    }

    private static string Find(string folder, string name, DatasetSplit split)
    {
        var (imagesName, labelsName) = FileNames(split);
        var plain = Path.Combine(folder, name);
        if (File.Exists(plain)) return plain;
        if (File.Exists(plain + GzipSuffix)) return plain + GzipSuffix;
        throw new FileNotFoundException(
            $"The MNIST {split} split needs {imagesName} and {labelsName} (each as is or with {GzipSuffix}) in '{folder}'; {name} is missing.",
            plain);
    }

    private static DatasetArrays Read(string imagesPath, string labelsPath)
    {
        using var images = Open(imagesPath);
        var imagesHeader = ReadExactly(imagesPath, images, ImagesHeaderBytes, "its idx header");
        RequireMagic(imagesPath, imagesHeader, ImagesMagic, "images");
        var count = ReadDimension(imagesPath, imagesHeader, 4, "image count");
        var height = ReadDimension(imagesPath, imagesHeader, 8, "row count");
        var width = ReadDimension(imagesPath, imagesHeader, 12, "column count");
        var pixels = (long)height * width;
        // The header decides what the rest of the file must hold; check it before allocating for it.
        DatasetLimits.RequireInputValues(imagesPath, pixels * count, $"{count} images of {height}×{width}");

        using var labels = Open(labelsPath);
        var labelsHeader = ReadExactly(labelsPath, labels, LabelsHeaderBytes, "its idx header");
        RequireMagic(labelsPath, labelsHeader, LabelsMagic, "labels");
        var labelCount = ReadDimension(labelsPath, labelsHeader, 4, "label count");
        if (labelCount != count)
            throw new InvalidDataException($"'{imagesPath}' holds {count} images but '{labelsPath}' holds {labelCount} labels.");

        var imageBytes = ReadExactly(imagesPath, images, count * pixels, $"{count} images of {height}×{width}");
        RequireEnd(imagesPath, images);
        var labelBytes = ReadExactly(labelsPath, labels, count, $"{count} labels");
        RequireEnd(labelsPath, labels);

        var inputs = new float[count * pixels];
        for (long i = 0; i < inputs.LongLength; i++) inputs[i] = imageBytes[i] / 255f;
        var labelValues = new long[count];
        for (var i = 0; i < count; i++)
        {
            var label = labelBytes[i];
            if (label >= ClassCount)
                throw new InvalidDataException($"Label {i} of '{labelsPath}' is {label}; MNIST labels are 0..{ClassCount - 1}.");
            labelValues[i] = label;
        }
        return new DatasetArrays(inputs, labelValues, Channels: 1, height, width, ClassCount);
    }

    /// <summary>The file's content as a stream, decompressed when gzipped: read only as far as its header says, so a gzip bomb inflates no further.</summary>
    private static Stream Open(string path)
    {
        RegularFile.Require(path, "MNIST file");
        var file = File.OpenRead(path);
        return path.EndsWith(GzipSuffix, StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    /// <summary>Deflate expands a byte to at most 1,032: a gzip file this much smaller than its header's promise is truncated.</summary>
    private const long MaxDeflateRatio = 1032;

    private static byte[] ReadExactly(string path, Stream content, long count, string what)
    {
        var available = content switch
        {
            FileStream file => file.Length - file.Position,
            GZipStream { BaseStream: FileStream file } => (file.Length + 1) * MaxDeflateRatio,
            _ => long.MaxValue,
        };
        if (available < count)
            throw new InvalidDataException($"'{path}' is too short to hold the {count} bytes of {what}; it is truncated or not an idx file.");
        var bytes = new byte[count];
        var read = Decompressed(path, () => content.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false));
        if (read < count)
            throw new InvalidDataException($"'{path}' ends after {read} of the {count} bytes of {what}; it is truncated or not an idx file.");
        return bytes;
    }

    private static void RequireEnd(string path, Stream content)
    {
        if (Decompressed(path, content.ReadByte) >= 0)
            throw new InvalidDataException($"'{path}' is longer than its header says.");
    }

    private static T Decompressed<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid gzip file: {e.Message}", e);
        }
    }

    private static void RequireMagic(string path, byte[] content, int magic, string kind)
    {
        var found = BinaryPrimitives.ReadInt32BigEndian(content);
        if (found != magic)
            throw new InvalidDataException($"'{path}' starts with magic number 0x{found:X8}; idx {kind} files start with 0x{magic:X8}.");
    }

    private static int ReadDimension(string path, byte[] content, int offset, string what)
    {
        var value = BinaryPrimitives.ReadInt32BigEndian(content.AsSpan(offset));
        if (value < 1) throw new InvalidDataException($"'{path}' gives a {what} of {value}.");
        return value;
    }
}
