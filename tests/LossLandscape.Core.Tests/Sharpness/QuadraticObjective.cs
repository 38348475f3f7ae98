using LossLandscape.Core.Sharpness;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace LossLandscape.Core.Tests.Sharpness;

/// <summary>
/// The loss ½(w − w*)ᵀA(w − w*) of one float64 parameter vector w, one batch: every sharpness measure
/// has a closed form on it. A is given as its action v ↦ Av, so a large banded A costs O(n).
/// </summary>
internal sealed class QuadraticObjective : SharpnessObjective, IDisposable
{
    private readonly Parameter weights;
    private readonly Tensor center;
    private readonly Func<Tensor, Tensor> apply;

    public QuadraticObjective(double[] start, double[] center, Func<Tensor, Tensor> apply)
    {
        weights = new Parameter(tensor(start), requires_grad: true);
        this.center = tensor(center);
        this.apply = apply;
    }

    public override IReadOnlyList<Parameter> Parameters => [weights];

    public override int BatchCount => 1;

    public override double BatchWeight(int batch) => 1;

    public override Tensor Loss(int batch)
    {
        var residual = weights - center;
        return 0.5 * residual.dot(apply(residual));
    }

    public void Dispose()
    {
        weights.Dispose();
        center.Dispose();
    }
}

/// <summary>A one-parameter loss f(θ) for Keskar's measure against a grid search.</summary>
internal sealed class ScalarObjective(double start, Func<Tensor, Tensor> loss) : SharpnessObjective, IDisposable
{
    private readonly Parameter theta = new(tensor(new[] { start }), requires_grad: true);

    public override IReadOnlyList<Parameter> Parameters => [theta];

    public override int BatchCount => 1;

    public override double BatchWeight(int batch) => 1;

    public override Tensor Loss(int batch) => loss(theta).sum();

    public void Dispose() => theta.Dispose();
}
