using System.Text.Json;
using System.Text.Json.Serialization;
using LossLandscape.Core.Data;

namespace LossLandscape.Bench.Surfaces;

/// <summary>The JSON files the bench, its engine children and the Python reference exchange (snake_case, as Python writes it).</summary>
internal static class BenchJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public static void Write<T>(string path, T value) => File.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(value, Options));

    public static T Read<T>(string path) =>
        JsonSerializer.Deserialize<T>(File.ReadAllBytes(path), Options) ?? throw new InvalidDataException($"{path} holds no result.");
}

/// <summary>What an engine child computes. The directions are rebuilt there and must hash to the exported ones.</summary>
internal sealed record EngineRunSpec(
    string CheckpointPath,
    DatasetReference Data,
    double[] X,
    double[]? Y,
    string XDirectionSha256,
    string? YDirectionSha256,
    string Device,
    bool FoldBatchNorm,
    string ResultPath);

/// <param name="Seconds">Wall time of SurfaceEngine.Compute, data already generated.</param>
/// <param name="PeakRssKib">VmHWM of the child right after the surface, before the bare-forward measurement.</param>
internal sealed record EngineRunResult(
    double Seconds,
    long PeakRssKib,
    int Workers,
    int ThreadsPerPoint,
    int BatchSize,
    Dictionary<string, double[]> Values,
    BareForward BareForward);

/// <summary>Forward passes over the whole data, <see cref="Workers"/> at once, each with its own model copy.</summary>
internal sealed record BareForward(double SecondsPerPass, int Workers, int ThreadsPerWorker, int PassesPerWorker);

/// <summary>What the Python reference reads: the model's spec and grid here, tensors in the three safetensors files.</summary>
internal sealed record ReferenceManifest(
    string Architecture,
    int InputChannels,
    int InputHeight,
    int InputWidth,
    int ClassCount,
    double[] X,
    double[]? Y,
    string StateFile,
    string DirectionsFile,
    string DataFile);

internal sealed record ReferenceSetting(int Threads, int BatchSize, double Seconds, string Allocator = ReferenceAllocator.GlibcDefault);

/// <summary>The reference's sweep of bare-forward times and the fastest setting.</summary>
internal sealed record ReferenceTuning(IReadOnlyList<ReferenceSetting> Sweep, int Threads, int BatchSize, double Seconds, string Allocator = ReferenceAllocator.GlibcDefault);

internal sealed record ReferenceRunResult(double Seconds, long PeakRssKib, int Threads, int BatchSize, Dictionary<string, double[]> Values);
