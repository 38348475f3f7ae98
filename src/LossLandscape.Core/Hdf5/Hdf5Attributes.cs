using PureHDF;

namespace LossLandscape.Core.Hdf5;

/// <summary>Our metadata as string attributes: written in ordinal name order so the file bytes do not depend on dictionary order.</summary>
internal static class Hdf5Attributes
{
    public static void Validate(IReadOnlyDictionary<string, string> attributes, string parameterName)
    {
        foreach (var (name, value) in attributes)
        {
            if (string.IsNullOrEmpty(name))
            {
                throw new ArgumentException("Attribute names must not be empty.", parameterName);
            }
            if (value is null)
            {
                throw new ArgumentException($"Attribute '{name}' has no value; use an empty string.", parameterName);
            }
        }
    }

    public static void Write(H5Object target, IReadOnlyDictionary<string, string> attributes)
    {
        foreach (var (name, value) in attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            target.Attributes[name] = value;
        }
    }

    /// <summary>The most attributes an object may carry: ours write at most four.</summary>
    public const int MaxCount = 256;

    /// <summary>String attributes only; other attributes (which we never write) are skipped. Each is bounded before it is read.</summary>
    public static IReadOnlyDictionary<string, string> Read(IH5Object owner)
    {
        var attributes = owner.Attributes().Take(MaxCount + 1).ToArray();
        if (attributes.Length > MaxCount)
            throw new InvalidDataException($"'{owner.Name}' carries more than {MaxCount} attributes.");
        return attributes
            .Where(a => Hdf5Storage.IsString(a.Type))
            .ToDictionary(a => a.Name, a => Hdf5Storage.ReadString(a.Type, a.Space, () => a.Read<string>(), $"Attribute '{a.Name}'"), StringComparer.Ordinal);
    }
}
