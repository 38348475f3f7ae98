namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>Named tensors in file order, as a PyTorch <c>state_dict()</c> holds them; names are unique.</summary>
public sealed class StateDictionary
{
    private readonly Dictionary<string, NamedTensor> byName;

    public StateDictionary(IReadOnlyList<NamedTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        byName = new Dictionary<string, NamedTensor>(StringComparer.Ordinal);
        foreach (var tensor in tensors)
        {
            if (!byName.TryAdd(tensor.Name, tensor)) throw new ArgumentException($"Tensor name '{tensor.Name}' appears twice.", nameof(tensors));
        }
        Tensors = tensors;
    }

    public IReadOnlyList<NamedTensor> Tensors { get; }

    public IEnumerable<string> Names => Tensors.Select(tensor => tensor.Name);

    public NamedTensor this[string name] => byName.TryGetValue(name, out var tensor)
        ? tensor
        : throw new KeyNotFoundException($"The state dictionary has no tensor '{name}'.");

    public bool TryGet(string name, out NamedTensor tensor) => byName.TryGetValue(name, out tensor!);
}
