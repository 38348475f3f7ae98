namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>Element types a checkpoint tensor can have; all are stored little-endian.</summary>
public enum TensorDType
{
    Float16,
    BFloat16,
    Float32,
    Float64,
    Int64,
    Int32,
    Int16,
    Int8,
    UInt8,
    Bool,
}
