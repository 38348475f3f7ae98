using System.Collections.Concurrent;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Checkpoints;

/// <summary>The state entries (names, shapes, parameter or buffer) a model of the zoo has.</summary>
public sealed record ModelStateLayout(IReadOnlyList<StateTensorInfo> Entries, IReadOnlySet<string> ParameterNames)
{
    private static readonly ConcurrentDictionary<ModelSpec, ModelStateLayout> Cache = new();

    /// <exception cref="ArgumentException">The spec is not a valid zoo model.</exception>
    public static ModelStateLayout Of(LandscapeRuntime runtime, ModelSpec spec) => Cache.GetOrAdd(spec, key => Build(runtime, key));

    private static ModelStateLayout Build(LandscapeRuntime runtime, ModelSpec spec)
    {
        using var model = ModelZoo.Create(runtime, spec);
        var entries = model.state_dict()
            .Select(pair => new StateTensorInfo(pair.Key, pair.Value.dtype.ToString().ToLowerInvariant(), pair.Value.shape))
            .ToArray();
        var parameters = model.named_parameters().Select(pair => pair.name).ToHashSet(StringComparer.Ordinal);
        return new ModelStateLayout(entries, parameters);
    }

    /// <summary>The first difference between this layout and a file's contents, or null when they agree.</summary>
    public string? FirstDifference(IReadOnlyList<StateTensorInfo> contents)
    {
        var expected = Entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        foreach (var entry in contents)
        {
            if (!expected.TryGetValue(entry.Name, out var want))
                return $"the file has '{entry.Name}', which the model does not have";
            if (!want.Shape.SequenceEqual(entry.Shape))
                return $"'{entry.Name}' is [{entry.ShapeText}] in the file but [{want.ShapeText}] in the model";
            if (want.DType != entry.DType)
                return $"'{entry.Name}' is {entry.DType} in the file but {want.DType} in the model";
        }
        var missing = Entries.FirstOrDefault(e => contents.All(c => c.Name != e.Name));
        return missing is null ? null : $"the model's '{missing.Name}' is missing from the file";
    }
}
