namespace LossLandscape.Core.Data;

/// <summary>
/// A small CIFAR-like set that can be learned in minutes and needs no download, for reproducing the
/// paper's ResNet experiments at small scale: 3×16×16 colour images, 10 classes, 4,000 train and
/// 1,000 test samples. Each image is a noisy grating patch: the class fixes the grating's orientation
/// (class c at c·18°, jittered by up to ±4.5°); frequency, phase, patch position and size, colour and
/// contrast are random per image, and every pixel gets N(0, <see cref="NoiseStandardDeviation"/>²)
/// noise. So colour and position carry no information and a net must learn oriented filters.
/// </summary>
/// <remarks>
/// Each split is one <see cref="DeterministicNormal"/> stream from a fixed seed. Per sample, in this
/// order: the label (the next 64 bits modulo 10), then the uniforms of orientation jitter, frequency,
/// phase, centre x, centre y, radius and contrast, three normals for the colour, and the 768 noise
/// normals in C×H×W order. The grating uses the stream's own sine and cosine of whole turns and the
/// window only +, −, ×, ÷, so the data are identical on every platform. Generated once per process,
/// on first use; the arrays are shared and must not be modified.
/// </remarks>
public static class SyntheticPatternsData
{
    public const string Name = "SyntheticPatterns";
    public const int TrainCount = 4000;
    public const int TestCount = 1000;
    public const long TrainSeed = 0x5EED_0011;
    public const long TestSeed = 0x5EED_0012;
    public const int ClassCount = 10;
    public const int Channels = 3;
    public const int Side = 16;
    public const double NoiseStandardDeviation = 0.5;

    private const double TwoToMinus53 = 1.0 / (1UL << 53);

    private static readonly Lazy<DatasetArrays> Train = new(() => Generate(TrainCount, TrainSeed));
    private static readonly Lazy<DatasetArrays> Test = new(() => Generate(TestCount, TestSeed));

    public static DatasetArrays Load(DatasetSplit split) => split == DatasetSplit.Test ? Test.Value : Train.Value;

    private static DatasetArrays Generate(int count, long seed)
    {
        const int sampleSize = Channels * Side * Side;
        var stream = new DeterministicNormal(seed);
        var inputs = new float[count * sampleSize];
        var labels = new long[count];
        for (var sample = 0; sample < count; sample++)
        {
            var label = (long)(stream.NextUInt64() % ClassCount);
            labels[sample] = label;
            var pattern = Pattern.Draw(label, stream);
            var offset = sample * sampleSize;
            for (var channel = 0; channel < Channels; channel++)
            for (var y = 0; y < Side; y++)
            for (var x = 0; x < Side; x++)
                inputs[offset + (channel * Side + y) * Side + x] = (float)(pattern.Value(channel, x, y) + NoiseStandardDeviation * stream.Next());
        }
        return new DatasetArrays(inputs, labels, Channels, Side, Side, ClassCount);
    }

    private static double Uniform(DeterministicNormal stream) => (stream.NextUInt64() >> 11) * TwoToMinus53;

    /// <summary>One image's grating: everything but the noise.</summary>
    private sealed class Pattern
    {
        private double cosine, sine, frequency, phase, centreX, centreY, radius, contrast;
        private readonly double[] colour = new double[Channels];

        public static Pattern Draw(long label, DeterministicNormal stream)
        {
            var pattern = new Pattern();
            // Orientations repeat every half turn: class c at c/20 of a turn (18°), ± 1/80 (4.5°).
            var orientation = label / 20.0 + (Uniform(stream) - 0.5) / 40.0;
            (pattern.sine, pattern.cosine) = DeterministicNormal.SinCosOfTurn(orientation - Math.Floor(orientation));
            pattern.frequency = 0.12 + 0.12 * Uniform(stream);
            pattern.phase = Uniform(stream);
            pattern.centreX = 4.0 + 8.0 * Uniform(stream);
            pattern.centreY = 4.0 + 8.0 * Uniform(stream);
            pattern.radius = 6.0 + 6.0 * Uniform(stream);
            pattern.contrast = 1.0 + Uniform(stream);
            var norm = 0.0;
            for (var channel = 0; channel < Channels; channel++)
            {
                pattern.colour[channel] = stream.Next();
                norm += pattern.colour[channel] * pattern.colour[channel];
            }
            norm = Math.Sqrt(norm) + 1e-12;
            for (var channel = 0; channel < Channels; channel++) pattern.colour[channel] *= Math.Sqrt(Channels) / norm;
            return pattern;
        }

        public double Value(int channel, int x, int y)
        {
            var dx = x - centreX;
            var dy = y - centreY;
            // A smooth bump (1 − r²/R²)², zero beyond R: a Gaussian-like window without exp.
            var fall = 1.0 - (dx * dx + dy * dy) / (radius * radius);
            if (fall <= 0) return 0;
            var turn = frequency * (x * cosine + y * sine) + phase;
            var (_, cos) = DeterministicNormal.SinCosOfTurn(turn - Math.Floor(turn));
            return contrast * colour[channel] * fall * fall * cos;
        }
    }
}
