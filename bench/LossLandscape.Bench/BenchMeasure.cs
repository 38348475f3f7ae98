using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LossLandscape.Bench;

/// <summary>Clocks, machine limits and arithmetic counts shared by the one-core benchmarks (levers, profile).</summary>
internal static class BenchMeasure
{
    /// <summary>The fastest of <paramref name="repeats"/> runs, after one untimed warm-up run.</summary>
    public static double MinimumMilliseconds(Action action, int repeats)
    {
        action();
        var best = double.MaxValue;
        for (var i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            best = Math.Min(best, clock.Elapsed.TotalMilliseconds);
        }
        return best;
    }

    /// <summary>One 2048³ float32 matrix product on the current thread count: MKL's practical rate.</summary>
    public static double SgemmGigaflops()
    {
        const int size = 2048;
        using var a = randn(size, size);
        using var b = randn(size, size);
        var milliseconds = MinimumMilliseconds(() => a.mm(b).Dispose(), 3);
        return 2.0 * size * size * size / (milliseconds / 1000) / 1e9;
    }

    /// <summary>
    /// The core's float32 multiply-add peak, from 12 independent 256-bit FMA chains (enough to cover
    /// the FMA units' latency) on the calling thread; falls back to sgemm without FMA.
    /// </summary>
    public static double FmaPeakGigaflops()
    {
        if (!Fma.IsSupported) return SgemmGigaflops();
        const long iterations = 50_000_000;
        var best = 0.0;
        for (var repeat = 0; repeat < 3; repeat++)
        {
            var clock = Stopwatch.StartNew();
            var sum = FmaChains(iterations);
            var seconds = clock.Elapsed.TotalSeconds;
            if (float.IsNaN(sum)) throw new InvalidOperationException("unreachable: keeps the loop's result alive");
            best = Math.Max(best, iterations * 12.0 * Vector256<float>.Count * 2 / seconds / 1e9);
        }
        return best;
    }

    /// <summary>
    /// 2 × the multiply-adds one convolution call did. Taps that land on the zero padding are not
    /// counted: oneDNN skips them, so counting them would credit small maps (8×8: 16 % of the taps,
    /// 4×4: 31 %) with work never done.
    /// </summary>
    public static double ConvolutionFlops(Conv2d conv, Tensor input, Tensor output) =>
        2.0 * output.shape[0] * output.shape[1] * (conv.in_channels / conv.groups)
        * TapsInside(input.shape[2], output.shape[2], conv.kernel_size[0], conv.stride[0], conv.padding![0], conv.dilation[0])
        * TapsInside(input.shape[3], output.shape[3], conv.kernel_size[1], conv.stride[1], conv.padding![1], conv.dilation[1]);

    public static double LinearFlops(Linear linear, Tensor output) => 2.0 * output.numel() * linear.in_features;

    /// <summary>Uniform values in [-0.5, 0.5) from a fixed seed: stand-in directions whose values do not matter for timing.</summary>
    public static float[] RandomVector(int length, long seed)
    {
        var generator = new Random((int)seed);
        return Enumerable.Range(0, length).Select(_ => (float)(generator.NextDouble() - 0.5)).ToArray();
    }

    /// <summary>Kernel taps inside the map, summed over the output positions along one axis.</summary>
    private static long TapsInside(long inputSize, long outputSize, long kernel, long stride, long padding, long dilation)
    {
        long taps = 0;
        for (long o = 0; o < outputSize; o++)
            for (long k = 0; k < kernel; k++)
            {
                var position = o * stride - padding + k * dilation;
                if (position >= 0 && position < inputSize) taps++;
            }
        return taps;
    }

    private static float FmaChains(long iterations)
    {
        var scale = Vector256.Create(0.9999999f);
        var shift = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Fma.MultiplyAdd(a0, scale, shift);
            a1 = Fma.MultiplyAdd(a1, scale, shift);
            a2 = Fma.MultiplyAdd(a2, scale, shift);
            a3 = Fma.MultiplyAdd(a3, scale, shift);
            a4 = Fma.MultiplyAdd(a4, scale, shift);
            a5 = Fma.MultiplyAdd(a5, scale, shift);
            a6 = Fma.MultiplyAdd(a6, scale, shift);
            a7 = Fma.MultiplyAdd(a7, scale, shift);
            a8 = Fma.MultiplyAdd(a8, scale, shift);
            a9 = Fma.MultiplyAdd(a9, scale, shift);
            a10 = Fma.MultiplyAdd(a10, scale, shift);
            a11 = Fma.MultiplyAdd(a11, scale, shift);
        }
        var total = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11));
        return Vector256.Sum(total);
    }
}
