using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Models;

/// <summary>
/// The deterministic weight and input fill of generate_model_names.py (fill_state and the input
/// stream of reference_output), so a PyTorch output can be reproduced without shipping megabytes
/// of weights. Values are formed in double and rounded once to float32, exactly as in Python.
/// </summary>
internal sealed class ReferenceFill(uint seed)
{
    private uint state = seed;

    /// <summary>Next value of the 32-bit LCG (Numerical Recipes constants), in [-0.5, 0.5).</summary>
    public double Next()
    {
        state = unchecked(state * 1664525u + 1013904223u);
        return (state >> 8) / 16777216.0 - 0.5;
    }

    /// <summary>Fills every floating state_dict entry in order, as fill_state does.</summary>
    public static void FillState(nn.Module module, uint seed)
    {
        var fill = new ReferenceFill(seed);
        using var noGrad = no_grad();
        foreach (var (name, tensor) in module.state_dict())
        {
            if (!tensor.is_floating_point()) continue;
            double scale, offset;
            if (tensor.dim() >= 2)
            {
                var fanIn = tensor.numel() / tensor.shape[0];
                (scale, offset) = (Math.Sqrt(24.0 / fanIn), 0.0);
            }
            else if (name.EndsWith("running_var", StringComparison.Ordinal) || name.EndsWith("weight", StringComparison.Ordinal))
            {
                (scale, offset) = (0.5, 1.0);
            }
            else
            {
                (scale, offset) = (0.2, 0.0);
            }
            var values = new float[tensor.numel()];
            for (var i = 0; i < values.Length; i++) values[i] = (float)(fill.Next() * scale + offset);
            using var source = torch.tensor(values).reshape(tensor.shape);
            tensor.copy_(source);
        }
    }

    /// <summary>The input batch of reference_output: seed + 1, values in [-1, 1).</summary>
    public static Tensor Input(uint seed, long[] shape)
    {
        var fill = new ReferenceFill(seed + 1);
        var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (var i = 0; i < values.Length; i++) values[i] = (float)(fill.Next() * 2.0);
        return torch.tensor(values).reshape(shape);
    }
}
