namespace LossLandscape.Core.Data;

/// <summary>
/// A CIFAR-shaped set that needs no download, for benchmarks and tests: 3×32×32 inputs, 10 classes,
/// 2,000 train and 500 test samples. Each split is one <see cref="DeterministicNormal"/> stream from a
/// fixed seed (<see cref="TrainSeed"/>, <see cref="TestSeed"/>); per sample it draws the label first
/// (the next 64 bits modulo 10) and then the 3,072 inputs as standard normals rounded to float32, so the
/// data are identical on every platform. There is nothing to learn beyond memorizing the labels.
/// Each split is generated once per process, on first use; the arrays are shared and must not be modified.
/// </summary>
public static class SyntheticCifarData
{
    public const string Name = "SyntheticCifar";
    public const int TrainCount = 2000;
    public const int TestCount = 500;
    public const long TrainSeed = 0x5EED_0001;
    public const long TestSeed = 0x5EED_0002;
    public const int ClassCount = 10;
    public const int Channels = 3;
    public const int Side = 32;

    private static readonly Lazy<DatasetArrays> Train = new(() => Generate(TrainCount, TrainSeed));
    private static readonly Lazy<DatasetArrays> Test = new(() => Generate(TestCount, TestSeed));

    public static DatasetArrays Load(DatasetSplit split) => split == DatasetSplit.Test ? Test.Value : Train.Value;

    private static DatasetArrays Generate(int count, long seed)
    {
        const int sampleSize = Channels * Side * Side;
        var normal = new DeterministicNormal(seed);
        var inputs = new float[count * sampleSize];
        var labels = new long[count];
        for (var sample = 0; sample < count; sample++)
        {
            labels[sample] = (long)(normal.NextUInt64() % ClassCount);
            for (var i = 0; i < sampleSize; i++) inputs[sample * sampleSize + i] = (float)normal.Next();
        }
        return new DatasetArrays(inputs, labels, Channels, Side, Side, ClassCount);
    }
}
