namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>A storage class global such as <c>torch.FloatStorage</c>: it only names an element type.</summary>
public sealed record PickleStorageType(TensorDType DType);
