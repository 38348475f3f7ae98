using System.Numerics;

namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>Names unpickled values the way Python would, for error messages.</summary>
public static class PickleValues
{
    public static string Describe(object? value) => value switch
    {
        null => "None",
        bool => "a bool",
        long or BigInteger => "an int",
        double => "a float",
        string => "a str",
        byte[] => "bytes",
        object?[] tuple => $"a tuple of {tuple.Length}",
        List<object?> list => $"a list of {list.Count}",
        PickleDictionary dictionary => $"a dict of {dictionary.Count}",
        PickleTensor => "a tensor",
        PickleStorage => "a storage",
        PickleCallable callable => $"'{callable.QualifiedName}'",
        PickleStorageType storage => $"'torch.{storage.DType.TorchStorageName()}'",
        NumpyArray => "a numpy array",
        NumpyDType => "a numpy dtype",
        _ => value.GetType().Name,
    };
}
