using System.Buffers.Binary;
using System.IO.Compression;

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
        var images = ReadContent(imagesPath);
        var labels = ReadContent(labelsPath);

        RequireLength(imagesPath, images, ImagesHeaderBytes);
        RequireMagic(imagesPath, images, ImagesMagic, "images");
        var count = ReadDimension(imagesPath, images, 4, "image count");
        var height = ReadDimension(imagesPath, images, 8, "row count");
        var width = ReadDimension(imagesPath, images, 12, "column count");
        var pixels = (long)height * width;
        RequireExactLength(imagesPath, images, ImagesHeaderBytes + count * pixels, $"{count} images of {height}×{width}");

        RequireLength(labelsPath, labels, LabelsHeaderBytes);
        RequireMagic(labelsPath, labels, LabelsMagic, "labels");
        var labelCount = ReadDimension(labelsPath, labels, 4, "label count");
        if (labelCount != count)
            throw new InvalidDataException($"'{imagesPath}' holds {count} images but '{labelsPath}' holds {labelCount} labels.");
        RequireExactLength(labelsPath, labels, LabelsHeaderBytes + (long)count, $"{count} labels");

        var inputs = new float[count * pixels];
        for (long i = 0; i < inputs.LongLength; i++) inputs[i] = images[ImagesHeaderBytes + i] / 255f;
        var labelValues = new long[count];
        for (var i = 0; i < count; i++)
        {
            var label = labels[LabelsHeaderBytes + i];
            if (label >= ClassCount)
                throw new InvalidDataException($"Label {i} of '{labelsPath}' is {label}; MNIST labels are 0..{ClassCount - 1}.");
            labelValues[i] = label;
        }
        return new DatasetArrays(inputs, labelValues, Channels: 1, height, width, ClassCount);
    }

    private static byte[] ReadContent(string path)
    {
        if (!path.EndsWith(GzipSuffix, StringComparison.OrdinalIgnoreCase)) return File.ReadAllBytes(path);
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var content = new MemoryStream();
        gzip.CopyTo(content);
        return content.ToArray();
    }

    private static void RequireLength(string path, byte[] content, int headerBytes)
    {
        if (content.Length < headerBytes)
            throw new InvalidDataException($"'{path}' has {content.Length} bytes, fewer than its {headerBytes}-byte idx header; it is truncated or not an idx file.");
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

    private static void RequireExactLength(string path, byte[] content, long expected, string what)
    {
        if (content.Length != expected)
            throw new InvalidDataException($"'{path}' has {content.Length} bytes; a header and {what} take {expected}. The file is {(content.Length < expected ? "truncated" : "longer than its header says")}.");
    }
}
