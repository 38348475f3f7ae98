namespace LossLandscape.Core.Data;

/// <summary>How a <see cref="DatasetReference"/> is read: a data set built into the tool, or a folder in a known layout.</summary>
public enum DatasetFormat
{
    /// <summary>Known by name (<see cref="DatasetCatalog.Names"/>); needs no files.</summary>
    BuiltIn,

    /// <summary>The CIFAR-10 binary version (<see cref="Cifar10Folder"/>).</summary>
    Cifar10,

    /// <summary>MNIST or Fashion-MNIST idx files (<see cref="MnistFolder"/>).</summary>
    Mnist,

    /// <summary>train/test files (.safetensors or torch.save .pt) holding an 'inputs' tensor N×C×H×W and 'labels' N.</summary>
    Tensors,

    /// <summary>nanoGPT's train.bin / val.bin: uint16 little-endian token streams cut into windows (<see cref="TokenBinFolder"/>).</summary>
    TokenBin,

    /// <summary>train.npy / test.npy: integer token arrays N×T, one sequence a row (<see cref="NpyTokenFolder"/>).</summary>
    Npy,
}
