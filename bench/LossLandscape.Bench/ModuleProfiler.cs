using System.Diagnostics;
using LossLandscape.Core.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LossLandscape.Bench;

/// <summary>
/// Each module's own time (its call less its submodules' calls) over one evaluation pass, from
/// forward pre- and post-hooks. On the CPU every operation has finished when it returns, so the
/// clock between the hooks is the module's work. Keeps the fastest pass of those it saw.
/// </summary>
internal sealed class ModuleProfiler : IDisposable
{
    private readonly Dictionary<Module, Entry> entries = [];
    private readonly Stack<(Entry Entry, long Start, double Children)> open = new();
    private readonly List<HookableModule<Func<Module<Tensor, Tensor>, Tensor, Tensor>, Func<Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover> hooks = [];
    private readonly Entry root;
    private double[]? bestSelf;
    private double bestRoot = double.MaxValue;

    private ModuleProfiler(Module<Tensor, Tensor> model)
    {
        // TorchSharp's named_modules() leaves out the module itself.
        foreach (var (name, module) in model.named_modules().Prepend((model.GetName(), model)))
        {
            if (module is not Module<Tensor, Tensor> hookable) continue;
            var entry = new Entry(name, hookable, module.children().Any());
            entries[module] = entry;
            hooks.Add(hookable.register_forward_pre_hook((_, input) =>
            {
                open.Push((entry, Stopwatch.GetTimestamp(), 0));
                return input;
            }));
            hooks.Add(hookable.register_forward_hook((_, input, output) =>
            {
                var (current, start, children) = open.Pop();
                var inclusive = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                current.Self += inclusive - children;
                current.Inclusive += inclusive;
                current.Count(input, output);
                if (open.TryPop(out var parent)) open.Push((parent.Entry, parent.Start, parent.Children + inclusive));
                return output;
            }));
        }
        root = entries[model];
    }

    /// <summary>The forward passes' total of the fastest kept pass.</summary>
    public double RootMilliseconds => bestRoot;

    public static ModuleProfiler Attach(nn.Module model) =>
        new(model as Module<Tensor, Tensor> ?? throw new ArgumentException("Only Module<Tensor, Tensor> models can be profiled."));

    public void Reset()
    {
        foreach (var entry in entries.Values) entry.Clear();
    }

    /// <summary>Ends a pass; it becomes the profile if its forward time is the lowest so far.</summary>
    public void Keep()
    {
        if (root.Inclusive >= bestRoot) return;
        bestRoot = root.Inclusive;
        bestSelf = entries.Values.Select(e => e.Self).ToArray();
        foreach (var entry in entries.Values) entry.KeepCounts();
    }

    /// <summary>Modules of the same kind and shape together, in the model's module order; modules never called are left out.</summary>
    public IEnumerable<(string Label, double Milliseconds, double Flops, double Bytes)> Groups()
    {
        if (bestSelf is null) throw new InvalidOperationException("No pass was kept.");
        return entries.Values.Zip(bestSelf)
            .Where(pair => pair.First.Calls > 0)
            .GroupBy(pair => pair.First.Label)
            .Select(group => (Label: group.Count() > 1 ? $"{group.Key} ×{group.Count()}" : group.Key,
                Milliseconds: group.Sum(p => p.Second), Flops: group.Sum(p => p.First.KeptFlops), Bytes: group.Sum(p => p.First.KeptBytes)));
    }

    public void Dispose()
    {
        foreach (var hook in hooks) hook.remove();
    }

    private sealed class Entry(string name, Module<Tensor, Tensor> module, bool hasChildren)
    {
        private double flops;
        private double bytes;

        public double Self { get; set; }

        public double Inclusive { get; set; }

        public int Calls { get; private set; }

        public double KeptFlops { get; private set; }

        public double KeptBytes { get; private set; }

        public string Label { get; private set; } = name;

        public void Clear()
        {
            Self = Inclusive = flops = bytes = 0;
        }

        public void KeepCounts()
        {
            KeptFlops = flops;
            KeptBytes = bytes;
        }

        /// <summary>Multiply-adds count 2 FLOPs; bytes are the input and output maps read and written once, for the memory-bound layers.</summary>
        public void Count(Tensor input, Tensor output)
        {
            Calls++;
            switch (module)
            {
                case Conv2d conv:
                    flops += BenchMeasure.ConvolutionFlops(conv, input, output);
                    Label = $"Conv2d {conv.in_channels}→{conv.out_channels} {conv.kernel_size[0]}×{conv.kernel_size[1]}{(conv.stride[0] > 1 ? $" stride {conv.stride[0]}" : "")} on {input.shape[2]}×{input.shape[3]}";
                    break;
                case Linear linear:
                    flops += BenchMeasure.LinearFlops(linear, output);
                    Label = $"Linear {linear.in_features}→{linear.out_features}";
                    break;
                case FoldableBatchNorm2d:
                    bytes += (input.numel() + output.numel()) * (double)sizeof(float);
                    Label = $"BatchNorm2d {input.shape[1]} on {input.shape[2]}×{input.shape[3]}";
                    break;
                default:
                    var kind = module is TorchSharp.Modules.Sequential ? "Sequential" : module.GetName();
                    Label = hasChildren ? $"{kind}.forward's own ops ({OwnOps(module)})" : $"{kind} without submodules (identity)";
                    break;
            }
        }

        private static string OwnOps(Module module) => module switch
        {
            BasicBlock { Residual: true } => "ReLU ×2, residual add",
            BasicBlock => "ReLU ×2",
            DigitsCnn => "ReLU ×3, max-pool ×2",
            CifarResNet => "ReLU, average pool",
            TorchSharp.Modules.Sequential => "handing maps on",
            _ => "functional ops",
        };
    }
}
