using LossLandscape.Core.Checkpoints.Formats;
using LossLandscape.Core.Common;

namespace LossLandscape.Core.Data;

/// <summary>
/// The CIFAR-10 binary version ("cifar-10-binary.tar.gz", https://www.cs.toronto.edu/~kriz/cifar.html):
/// <c>data_batch_1.bin</c> … <c>data_batch_5.bin</c> (train, in that order) and <c>test_batch.bin</c>
/// (test), directly in the folder or in its <c>cifar-10-batches-bin</c> subfolder as the archive unpacks.
/// Each record is one label byte then 3,072 pixel bytes: the red, green and blue 32×32 planes, each
/// row-major, which is already NCHW. The train split needs all five batches. The number of records per
/// file is not checked, so smaller files in the same layout read too.
/// <para>
/// Pixels are normalized as the loss-landscape paper's code does (torchvision ToTensor, then Normalize):
/// x = (p / 255 − mean_c) / std_c with mean = (125.3, 123.0, 113.9) / 255 and std = (63.0, 62.1, 66.7) / 255
/// for red, green, blue.
/// </para>
/// </summary>
public static class Cifar10Folder
{
    public const string Subfolder = "cifar-10-batches-bin";
    public const int ClassCount = 10;
    public const int Channels = 3;
    public const int Side = 32;
    public const int PixelBytes = Channels * Side * Side;
    public const int RecordBytes = 1 + PixelBytes;

    public static IReadOnlyList<string> TrainFiles { get; } = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];

    public static IReadOnlyList<string> TestFiles { get; } = ["test_batch.bin"];

    /// <summary>The python version's pickled batches (cifar-10-python.tar.gz), read if the binary files are absent.</summary>
    public const string PythonSubfolder = "cifar-10-batches-py";

    public static IReadOnlyList<string> PythonTrainFiles { get; } = ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5"];

    public static IReadOnlyList<string> PythonTestFiles { get; } = ["test_batch"];

    public static IReadOnlyList<double> Mean { get; } = [125.3 / 255, 123.0 / 255, 113.9 / 255];

    public static IReadOnlyList<double> StandardDeviation { get; } = [63.0 / 255, 62.1 / 255, 66.7 / 255];

    /// <summary>Every byte value of every channel, normalized once rather than per pixel.</summary>
    private static readonly float[][] NormalizedByChannel = Enumerable.Range(0, Channels)
        .Select(c => Enumerable.Range(0, 256).Select(p => (float)((p / 255.0 - Mean[c]) / StandardDeviation[c])).ToArray())
        .ToArray();

    /// <summary>Reads a split, decoding the files once while <paramref name="cache"/> keeps them.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file of the split is missing; the message lists the expected files.</exception>
    /// <exception cref="InvalidDataException">A file is not a whole number of records, or holds a label above 9.</exception>
    public static DatasetArrays Load(DatasetCache cache, string folder, DatasetSplit split)
    {
        var files = SplitFiles(folder, split);
        return cache.GetOrRead(files, () => Read(files));
    }

    private static string[] SplitFiles(string folder, DatasetSplit split)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"The CIFAR-10 folder '{folder}' does not exist. It should hold {Describe(TrainFiles.Concat(TestFiles))} (the binary version), directly or in '{Subfolder}', or the python version's {Describe(PythonTrainFiles.Concat(PythonTestFiles))}.");
        var pythonNames = split == DatasetSplit.Test ? PythonTestFiles : PythonTrainFiles;
        foreach (var candidate in new[] { folder, Path.Combine(folder, PythonSubfolder) })
        {
            var pythonPaths = pythonNames.Select(name => Path.Combine(candidate, name)).ToArray();
            if (pythonPaths.All(File.Exists) && !(split == DatasetSplit.Test ? TestFiles : TrainFiles).Any(name => File.Exists(Path.Combine(folder, name)))) return pythonPaths;
        }
        var names = split == DatasetSplit.Test ? TestFiles : TrainFiles;
        var nested = Path.Combine(folder, Subfolder);
        var root = !names.Any(name => File.Exists(Path.Combine(folder, name))) && Directory.Exists(nested) ? nested : folder;
        var paths = names.Select(name => Path.Combine(root, name)).ToArray();
        var missing = paths.Where(path => !File.Exists(path)).Select(Path.GetFileName).ToArray();
        if (missing.Length > 0)
            throw new FileNotFoundException(
                $"The CIFAR-10 {split} split needs {Describe(names)} in '{root}' (or the python version's {Describe(pythonNames)}); missing: {string.Join(", ", missing)}.",
                paths.First(path => !File.Exists(path)));
        return paths;
    }

    private static DatasetArrays Read(IReadOnlyList<string> paths)
    {
        RequireBoundedFiles(paths);
        var contents = paths.Select(path => Path.GetExtension(path) == ".bin" ? File.ReadAllBytes(path) : PythonBatchAsRecords(path)).ToArray();
        for (var f = 0; f < paths.Count; f++)
        {
            if (contents[f].Length == 0 || contents[f].Length % RecordBytes != 0)
                throw new InvalidDataException($"'{paths[f]}' has {contents[f].Length} bytes, which is not a positive multiple of the CIFAR-10 record size {RecordBytes} (1 label byte + {PixelBytes} pixel bytes).");
        }

        var count = contents.Sum(bytes => bytes.Length / RecordBytes);
        var inputs = new float[(long)count * PixelBytes];
        var labels = new long[count];
        var sample = 0;
        for (var f = 0; f < paths.Count; f++)
        {
            var bytes = contents[f];
            for (var record = 0; record < bytes.Length / RecordBytes; record++, sample++)
            {
                var start = record * RecordBytes;
                var label = bytes[start];
                if (label >= ClassCount)
                    throw new InvalidDataException($"Record {record} of '{paths[f]}' has label {label}; CIFAR-10 labels are 0..{ClassCount - 1}.");
                labels[sample] = label;
                var output = (long)sample * PixelBytes;
                for (var i = 0; i < PixelBytes; i++)
                    inputs[output + i] = NormalizedByChannel[i / (Side * Side)][bytes[start + 1 + i]];
            }
        }
        return new DatasetArrays(inputs, labels, Channels, Side, Side, ClassCount);
    }

    /// <summary>
    /// Only regular files, and no more records than a data set may hold: binary files are sized by
    /// their length, pickles by <see cref="DatasetLimits.MaxPickleBytes"/>, before any is read.
    /// </summary>
    private static void RequireBoundedFiles(IReadOnlyList<string> paths)
    {
        long records = 0;
        foreach (var path in paths)
        {
            RegularFile.Require(path, "CIFAR-10 batch");
            var length = new FileInfo(path).Length;
            if (Path.GetExtension(path) == ".bin")
            {
                records += length / RecordBytes;
                DatasetLimits.RequireInputValues(path, records * PixelBytes, $"with the batches before it {records} images of {Channels}×{Side}×{Side}");
            }
            else if (length > DatasetLimits.MaxPickleBytes)
            {
                throw new InvalidDataException($"'{path}' has {length} bytes, more than the {DatasetLimits.MaxPickleBytes} a CIFAR-10 python batch may have; it is not read.");
            }
        }
    }

    private static string Describe(IEnumerable<string> names) => string.Join(", ", names);

    /// <summary>
    /// A python-version batch (a pickled dict with a uint8 array 'data' of N×3072 and a list 'labels')
    /// rewritten as binary-version records, so both layouts share one decoder. Read with the
    /// restricted unpickler: these are pickles, and a pickle is code.
    /// </summary>
    private static byte[] PythonBatchAsRecords(string path)
    {
        object? batch;
        try
        {
            batch = RestrictedUnpickler.Load(File.ReadAllBytes(path));
        }
        catch (UnsafePickleException e)
        {
            throw new InvalidDataException($"'{path}' was refused: {e.Message}", e);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is not a readable pickle: {e.Message}", e);
        }
        if (batch is not PickleDictionary dictionary)
            throw new InvalidDataException($"'{path}' is not a CIFAR-10 python batch (a pickled dict).");
        var data = Entry(dictionary, "data") as NumpyArray;
        var labels = Entry(dictionary, "labels") as List<object?>;
        if (data is null || labels is null || data.DType?.DType != TensorDType.UInt8 || data.Shape is not [var count, PixelBytes] || count != labels.Count || data.Data.LongLength != count * PixelBytes)
            throw new InvalidDataException($"'{path}' lacks a uint8 'data' array of N×{PixelBytes} with N 'labels'.");
        var records = new byte[count * RecordBytes];
        for (var i = 0; i < count; i++)
        {
            if (labels[i] is not long label || label is < 0 or >= ClassCount)
                throw new InvalidDataException($"Label {i} of '{path}' is {PickleValues.Describe(labels[i])}; CIFAR-10 labels are 0..{ClassCount - 1}.");
            records[i * RecordBytes] = (byte)label;
            Array.Copy(data.Data, i * PixelBytes, records, i * RecordBytes + 1, PixelBytes);
        }
        return records;
    }

    // Python 2 wrote the keys as str, Python 3 re-pickles them as bytes.
    private static object? Entry(PickleDictionary dictionary, string key) =>
        dictionary.TryGetValue(key, out var value) || dictionary.TryGetValue(System.Text.Encoding.ASCII.GetBytes(key), out value) ? value : null;
}
