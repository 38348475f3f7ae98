namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>
/// A Python <c>dict</c> or <c>OrderedDict</c>: insertion-ordered, a repeated key replaces the value
/// in place. Keys compare as Python compares them (see <see cref="PickleKeyComparer"/>).
/// </summary>
public sealed class PickleDictionary : IPickleBuildable
{
    private static readonly object NoneKey = new();
    private readonly List<KeyValuePair<object?, object?>> entries = [];
    private readonly Dictionary<object, int> indexByKey = new(PickleKeyComparer.Instance);

    public int Count => entries.Count;

    public IReadOnlyList<KeyValuePair<object?, object?>> Entries => entries;

    public void Set(object? key, object? value)
    {
        var lookupKey = key ?? NoneKey;
        PickleKeyComparer.EnsureHashable(lookupKey);
        if (indexByKey.TryGetValue(lookupKey, out var index))
        {
            entries[index] = new KeyValuePair<object?, object?>(entries[index].Key, value);
            return;
        }
        indexByKey.Add(lookupKey, entries.Count);
        entries.Add(new KeyValuePair<object?, object?>(key, value));
    }

    public bool TryGetValue(object key, out object? value)
    {
        if (indexByKey.TryGetValue(key, out var index))
        {
            value = entries[index].Value;
            return true;
        }
        value = null;
        return false;
    }

    /// <summary>
    /// An OrderedDict pickles its instance attributes as BUILD state; for a state_dict that is
    /// <c>_metadata</c> (module versions), which a reader of tensors has no use for.
    /// </summary>
    public void SetState(object? state)
    {
        if (state is not (null or PickleDictionary))
            throw new InvalidDataException($"A dictionary's pickled state must be a dict of attributes, not {PickleValues.Describe(state)}.");
    }
}
