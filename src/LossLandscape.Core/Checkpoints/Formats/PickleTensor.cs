namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>A tensor as <c>torch._utils._rebuild_tensor_v2</c> describes it: a strided view of a storage.</summary>
public sealed record PickleTensor(PickleStorage Storage, long StorageOffset, long[] Shape, long[] Stride);
