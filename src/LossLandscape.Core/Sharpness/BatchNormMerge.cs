using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LossLandscape.Core.Sharpness;

/// <summary>
/// Andriushchenko et al.'s <c>--merge_bn_stats</c> ("merge BN means and variances to its learnable
/// parameters"): in eval mode a BatchNorm computes γ(x − μ)/√(σ² + ε) + β, which equals
/// γ'x + β' with γ' = γ/√(σ² + ε), β' = β − μγ', and statistics μ = 0, σ² = 1 − ε. The model computes
/// the same function up to rounding, but the adaptive measures then scale the perturbation of the
/// BatchNorm parameters by |γ'| and |β'|, which carry the statistics.
/// </summary>
public static class BatchNormMerge
{
    /// <returns>How many BatchNorm layers were merged.</returns>
    /// <exception cref="ArgumentException">A BatchNorm has no affine parameters or no running statistics.</exception>
    public static int Apply(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var merged = 0;
        using var noGrad = no_grad();
        foreach (var (name, module) in model.named_modules())
        {
            if (module is not BatchNorm norm) continue;
            if (norm.weight is null || norm.bias is null || norm.running_mean is null || norm.running_var is null)
                throw new ArgumentException($"BatchNorm '{name}' has no affine parameters or no running statistics to merge.", nameof(model));
            using var scope = NewDisposeScope();
            var scale = norm.weight.div(norm.running_var.add(norm.eps).sqrt());
            norm.bias.sub_(norm.running_mean.mul(scale));
            norm.weight.copy_(scale);
            norm.running_mean.zero_();
            norm.running_var.fill_(1 - norm.eps);
            merged++;
        }
        return merged;
    }
}
