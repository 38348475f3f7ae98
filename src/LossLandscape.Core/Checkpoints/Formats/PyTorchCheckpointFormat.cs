namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>The two containers <c>torch.save</c> writes.</summary>
public enum PyTorchCheckpointFormat
{
    /// <summary>The zip archive of PyTorch 1.6 and later: <c>*/data.pkl</c> plus one record per storage.</summary>
    Zip,

    /// <summary>The older stream: magic number, protocol version, system info, the pickle, then raw storages.</summary>
    Legacy,
}
