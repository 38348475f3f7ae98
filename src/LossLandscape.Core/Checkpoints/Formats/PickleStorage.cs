namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>
/// A storage a checkpoint's pickle refers to by persistent id: the bytes live outside the pickle
/// under <paramref name="Key"/>. <paramref name="ElementOffset"/> is non-zero only for the storage
/// views of old legacy files.
/// </summary>
public sealed record PickleStorage(string Key, TensorDType DType, long ElementCount, long ElementOffset = 0);
