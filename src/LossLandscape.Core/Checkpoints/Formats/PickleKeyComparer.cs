using System.Numerics;

namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>
/// Dictionary-key equality as Python has it for the hashable values a pickle can hold here:
/// 1 == 1.0 == True, strings and bytes by content, tuples element by element.
/// </summary>
public sealed class PickleKeyComparer : IEqualityComparer<object>
{
    public static PickleKeyComparer Instance { get; } = new();

    private PickleKeyComparer()
    {
    }

    /// <summary>
    /// The most values one key may hold, counting a tuple reached twice twice. Hashing and equality
    /// recurse over that expansion, so the cap bounds their time and stack: 100,000 nested tuples
    /// or a memo-shared (t, t) tower whose expansion doubles per level are refused here, in a walk
    /// that stops at the cap. Real keys are strings or a few ints.
    /// </summary>
    public const int MaxKeyValues = 256;

    /// <exception cref="InvalidDataException">The key is a list, a dict or another unhashable value, or holds more than <see cref="MaxKeyValues"/> values.</exception>
    public static void EnsureHashable(object key)
    {
        var pending = new Stack<object>();
        pending.Push(key);
        for (var visited = 1; pending.Count > 0; visited++)
        {
            if (visited > MaxKeyValues)
                throw new InvalidDataException($"A dictionary key is a tuple nesting more than {MaxKeyValues} values, far more than a checkpoint's keys hold.");
            switch (pending.Pop())
            {
                case string or long or bool or double or BigInteger or byte[] or PickleCallable or PickleStorageType:
                    break;
                case object?[] tuple:
                    foreach (var item in tuple.OfType<object>()) pending.Push(item);
                    break;
                // A bare object is PickleDictionary's stand-in for the key None.
                case var other when other.GetType() == typeof(object):
                    break;
                case var other:
                    throw new InvalidDataException($"A dictionary key is {PickleValues.Describe(other)}, which Python cannot hash.");
            }
        }
    }

    public new bool Equals(object? x, object? y)
    {
        if (ReferenceEquals(x, y)) return true;
        if (x is null || y is null) return false;
        if (Integral(x) is { } i && Integral(y) is { } j) return i == j;
        if (x is double || y is double) return AsDouble(x) is { } a && AsDouble(y) is { } b && a == b;
        return (x, y) switch
        {
            (string s, string t) => string.Equals(s, t, StringComparison.Ordinal),
            (byte[] s, byte[] t) => s.AsSpan().SequenceEqual(t),
            (object?[] s, object?[] t) => s.Length == t.Length && s.Zip(t).All(pair => Equals(pair.First, pair.Second)),
            _ => x.Equals(y),
        };
    }

    public int GetHashCode(object obj) => obj switch
    {
        string s => StringComparer.Ordinal.GetHashCode(s),
        byte[] bytes => bytes.Length,
        object?[] tuple => tuple.Aggregate(tuple.Length, (hash, item) => HashCode.Combine(hash, item is null ? 0 : GetHashCode(item))),
        // Equal numbers must hash alike whatever their type: integral doubles hash as integers.
        double d when Math.Floor(d) == d && Math.Abs(d) < 1e300 => new BigInteger(d).GetHashCode(),
        _ => Integral(obj) is { } integer ? integer.GetHashCode() : obj.GetHashCode(),
    };

    private static BigInteger? Integral(object value) => value switch
    {
        bool b => b ? BigInteger.One : BigInteger.Zero,
        long l => l,
        BigInteger big => big,
        _ => null,
    };

    private static double? AsDouble(object value) => value is double d ? d : Integral(value) is { } integer ? (double)integer : null;
}
