using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Native;
using LossLandscape.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Core.Surfaces;

/// <summary>
/// Places one model at points θ* + αδ + βη, where a metric then evaluates it. θ* and the directions
/// are flattened once, onto the model's device; a placement costs one float32 axpy per direction and
/// one copy per tensor.
/// </summary>
public sealed class SurfaceEvaluator : IDisposable
{
    private readonly (Tensor Tensor, ParameterEntry Entry)[] parameters;
    private readonly (Tensor Tensor, ParameterEntry Entry)[] buffers;
    private readonly Tensor theta;
    private readonly Tensor? thetaBuffers;
    private readonly Tensor xDirection;
    private readonly Tensor? yDirection;
    private readonly Tensor? xBufferDirection;
    private readonly Tensor? yBufferDirection;

    public SurfaceEvaluator(nn.Module model, DirectionVector x, DirectionVector? y)
    {
        var layout = ParameterLayout.Of(model);
        if (x.Parameters.Length != layout.ParameterLength || (y is not null && y.Parameters.Length != layout.ParameterLength))
            throw new ArgumentException($"The direction has {x.Parameters.Length} entries but the model has {layout.ParameterLength} parameters.");
        parameters = model.parameters().Select(p => (Tensor)p).Zip(layout.Parameters).ToArray();
        buffers = model.named_buffers().Where(b => b.buffer.is_floating_point()).Select(b => b.buffer).Zip(layout.Buffers).ToArray();
        var device = DevicePlacement.DeviceOf(model);
        theta = tensor(layout.FlattenParameters(model), device: device);
        xDirection = tensor(x.Parameters, device: device);
        yDirection = y is null ? null : tensor(y.Parameters, device: device);
        if (x.Buffers is not null || y?.Buffers is not null)
        {
            thetaBuffers = tensor(layout.FlattenBuffers(model), device: device);
            xBufferDirection = x.Buffers is null ? null : tensor(x.Buffers, device: device);
            yBufferDirection = y?.Buffers is null ? null : tensor(y.Buffers, device: device);
        }
        model.eval();
    }

    /// <summary>Sets the model's parameters (and moving BN statistics) to θ* + αδ + βη.</summary>
    public void MoveTo(double alpha, double beta)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Place(parameters, theta, xDirection, yDirection, alpha, beta);
        if (thetaBuffers is not null) Place(buffers, thetaBuffers, xBufferDirection, yBufferDirection, alpha, beta);
    }

    /// <summary>Puts θ* (and its BN statistics) back, bit for bit.</summary>
    public void Restore()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Copy(parameters, theta);
        if (thetaBuffers is not null) Copy(buffers, thetaBuffers);
    }

    public void Dispose()
    {
        Restore();
        theta.Dispose();
        thetaBuffers?.Dispose();
        xDirection.Dispose();
        yDirection?.Dispose();
        xBufferDirection?.Dispose();
        yBufferDirection?.Dispose();
    }

    // The paper's code forms d = dx·α + dy·β, then w + d, in float32: the same operations here.
    private static void Place((Tensor Tensor, ParameterEntry Entry)[] targets, Tensor origin, Tensor? dx, Tensor? dy, double alpha, double beta)
    {
        Tensor? change = dx?.mul(alpha);
        if (dy is not null) change = change is null ? dy.mul(beta) : change.add(dy.mul(beta));
        Copy(targets, change is null ? origin : origin.add(change));
    }

    private static void Copy((Tensor Tensor, ParameterEntry Entry)[] targets, Tensor flat)
    {
        foreach (var (target, entry) in targets)
        {
            target.copy_(flat.narrow(0, entry.Offset, entry.Length).view(entry.Shape));
        }
    }
}
