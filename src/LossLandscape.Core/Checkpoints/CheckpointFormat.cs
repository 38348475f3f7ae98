namespace LossLandscape.Core.Checkpoints;

public enum CheckpointFormat
{
    /// <summary>Ours: TorchSharp state dictionary (.dat) plus a JSON side file.</summary>
    LossLandscape,

    /// <summary>A torch.save state dictionary (zip or legacy format); the architecture comes from -Architecture.</summary>
    PyTorch,

    /// <summary>A safetensors file; the architecture comes from -Architecture.</summary>
    Safetensors,

    /// <summary>A torch.jit.save file: it carries its own architecture.</summary>
    TorchScript,

    /// <summary>A Hugging Face GPT-2 folder: config.json plus model.safetensors or its shards; it carries its own architecture.</summary>
    HuggingFace,
}
