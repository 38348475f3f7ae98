using LossLandscape.Core.Data;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Curvature;

internal static class HessianTestModels
{
    public static PreloadedDataset Digits(int samples, long seed = 1) =>
        DatasetCatalog.Load(LandscapeRuntime.Load(), new DatasetReference("Digits", DatasetSplit.Train, MaxSamples: samples, SubsetSeed: seed));

    /// <summary>Linear 64 → 10 on the digits: the Mlp with no hidden layer.</summary>
    public static nn.Module<Tensor, Tensor> Linear(long seed) =>
        ModelZoo.Create(LandscapeRuntime.Load(), ModelZoo.DefaultSpec("Mlp") with { HiddenWidths = [] }, seed);

    /// <summary>A smooth two-layer network (softplus), so finite differences of the gradient behave like a Taylor series.</summary>
    public static nn.Module<Tensor, Tensor> Softplus(long seed) =>
        LandscapeRuntime.Load().WithGlobalGenerator(seed, () => nn.Sequential(nn.Flatten(), nn.Linear(64, 6), nn.Softplus(), nn.Linear(6, 10)));

    public static double[] RandomVector(int dimension, long seed)
    {
        var normal = new DeterministicNormal(seed);
        return Enumerable.Range(0, dimension).Select(_ => normal.Next()).ToArray();
    }

    /// <summary>Adds <paramref name="step"/> to the parameters named by the operator, in its vector order.</summary>
    public static void Shift(nn.Module model, IReadOnlyList<string> names, double[] step)
    {
        using var noGrad = no_grad();
        var byName = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        long offset = 0;
        foreach (var name in names)
        {
            var parameter = byName[name];
            var length = parameter.numel();
            using var part = tensor(step.AsSpan((int)offset, (int)length).ToArray()).to(parameter.dtype).view(parameter.shape);
            parameter.add_(part);
            offset += length;
        }
    }
}
