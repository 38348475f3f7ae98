namespace LossLandscape.Bench.Surfaces;

/// <summary>
/// The options of <c>surfaces</c>: <c>--repeat N</c>, <c>--quick</c>, <c>--only a|b|c</c>, <c>--device cpu|cuda</c>,
/// <c>--fold-batchnorm</c>, <c>--reference-allocator glibc-default|malloc-tuned|best</c>.
/// </summary>
internal sealed record SurfaceBenchOptions(int Repeat, bool Quick, IReadOnlySet<char> Workloads, string Device, bool FoldBatchNorm, IReadOnlyList<string> ReferenceAllocators)
{
    public const string Usage = "surfaces [--repeat N] [--quick] [--only a|b|c[,…]] [--device cpu|cuda] [--fold-batchnorm] [--reference-allocator glibc-default|malloc-tuned|best]";

    private const int DefaultRepeat = 3;

    /// <exception cref="ArgumentException">An unknown or malformed option.</exception>
    public static SurfaceBenchOptions Parse(IReadOnlyList<string> args)
    {
        int? repeat = null;
        var quick = false;
        var workloads = new HashSet<char>(BenchCases.Workloads);
        var device = "cpu";
        var foldBatchNorm = false;
        IReadOnlyList<string> referenceAllocators = ReferenceAllocator.All;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--repeat":
                    repeat = int.TryParse(Value(args, ref i), out var n) && n >= 1 ? n : throw new ArgumentException("--repeat takes a whole number ≥ 1.");
                    break;
                case "--fold-batchnorm":
                    foldBatchNorm = true;
                    break;
                case "--reference-allocator":
                    var allocator = Value(args, ref i).ToLowerInvariant();
                    referenceAllocators = allocator == "best" ? ReferenceAllocator.All
                        : ReferenceAllocator.All.Contains(allocator) ? [allocator]
                        : throw new ArgumentException($"--reference-allocator takes {string.Join(", ", ReferenceAllocator.All)} or best.");
                    break;
                case "--quick":
                    quick = true;
                    break;
                case "--only":
                    var letters = Value(args, ref i).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (letters.Length == 0 || letters.Any(l => l.Length != 1 || !BenchCases.Workloads.Contains(l[0])))
                        throw new ArgumentException($"--only takes workload letters ({string.Join(", ", BenchCases.Workloads)}), e.g. --only b or --only a,c.");
                    workloads = letters.Select(l => l[0]).ToHashSet();
                    break;
                case "--device":
                    device = Value(args, ref i).ToLowerInvariant();
                    if (device is not ("cpu" or "cuda")) throw new ArgumentException("--device takes cpu or cuda.");
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
        }
        // A smoke run should finish in about a minute: one repetition unless asked for more.
        return new SurfaceBenchOptions(repeat ?? (quick ? 1 : DefaultRepeat), quick, workloads, device, foldBatchNorm, referenceAllocators);
    }

    private static string Value(IReadOnlyList<string> args, ref int i) =>
        ++i < args.Count ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value.");
}
