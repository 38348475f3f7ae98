namespace LossLandscape.Core.Checkpoints;

/// <summary>One module of a checkpoint (e.g. <c>layer1.0.conv1</c>), from its state entries.</summary>
public sealed record LayerSummary(string Name, string Kind, string WeightShape, long ParameterCount)
{
    public override string ToString() => $"{Name} {Kind} {WeightShape}";

    /// <summary>Groups state entries by owning module, in file order.</summary>
    public static IReadOnlyList<LayerSummary> From(IReadOnlyList<StateTensorInfo> entries, IReadOnlySet<string> parameterNames)
    {
        return entries
            .GroupBy(entry => ModuleName(entry.Name))
            .Select(group =>
            {
                var weight = group.FirstOrDefault(e => e.Name.EndsWith(".weight", StringComparison.Ordinal) || e.Name == "weight");
                var kind = group.Any(e => e.Name.EndsWith("running_mean", StringComparison.Ordinal)) ? "BatchNorm"
                    : weight?.Shape.Count switch { 4 => "Conv2d", 2 => "Linear", 1 => "Scale", _ => "Tensor" };
                var parameters = group.Where(e => parameterNames.Contains(e.Name)).Sum(e => e.ElementCount);
                return new LayerSummary(group.Key, kind, weight?.ShapeText ?? group.First().ShapeText, parameters);
            })
            .ToArray();
    }

    private static string ModuleName(string entryName)
    {
        var dot = entryName.LastIndexOf('.');
        return dot < 0 ? "" : entryName[..dot];
    }
}
