using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using LossLandscape.Core.Specs;

namespace LossLandscape.Core.Checkpoints;

/// <summary>
/// The parameters a computation perturbs or differentiates, by name: wildcard patterns (<c>*</c> any
/// run of characters, <c>?</c> one character, matched against the whole name without regard to case,
/// as PowerShell's <c>-like</c>) over <c>named_parameters()</c>. Directions, surfaces, the Hessian and
/// the sharpness measures all select through <see cref="Choose"/>, so one subset means the same tensors
/// everywhere; the rest of the model stays at θ*.
/// </summary>
public sealed class ParameterSubset : IEquatable<ParameterSubset>
{
    private readonly Regex[] matchers;

    /// <summary>Bounds on what a subset may hold: patterns come from the command line and from direction and surface files shared by others.</summary>
    public const int MaxPatterns = 1_000, MaxPatternLength = 1_000;

    /// <exception cref="ArgumentException">No pattern, an empty one, or more or longer patterns than the bounds.</exception>
    [JsonConstructor]
    public ParameterSubset(IReadOnlyList<string> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        if (patterns.Count == 0 || patterns.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("A parameter subset needs at least one non-empty name or pattern.", nameof(patterns));
        if (patterns.Count > MaxPatterns || patterns.Any(p => p.Length > MaxPatternLength))
            throw new ArgumentException($"A parameter subset holds at most {MaxPatterns} patterns of at most {MaxPatternLength} characters.", nameof(patterns));
        Patterns = patterns.ToArray();
        // Non-backtracking: matching is linear in the name whatever the pattern, so '*a*a*a…*b' from a shared file cannot hang us.
        matchers = Patterns.Select(p => new Regex(
            "^" + Regex.Escape(p).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline | RegexOptions.NonBacktracking)).ToArray();
    }

    public IReadOnlyList<string> Patterns { get; }

    public bool Includes(string name) => matchers.Any(m => m.IsMatch(name));

    /// <summary>
    /// The parameters a computation works on, in <c>named_parameters()</c> order: those with more than one
    /// dimension when <paramref name="weightsOnly"/>, and of those, the ones <paramref name="subset"/> names.
    /// </summary>
    /// <returns>Possibly empty without a subset (callers say what an empty model means to them).</returns>
    /// <exception cref="SpecException">A pattern names no parameter of the model, or the subset leaves nothing (<see cref="SpecProblem.Parameter"/>).</exception>
    public static IReadOnlyList<T> Choose<T>(IReadOnlyList<T> parameters, Func<T, string> name, Func<T, bool> isFilter, bool weightsOnly, ParameterSubset? subset)
    {
        subset?.Check(parameters.Select(name).ToArray());
        var chosen = parameters.Where(p => (!weightsOnly || isFilter(p)) && (subset?.Includes(name(p)) ?? true)).ToArray();
        if (chosen.Length == 0 && subset is not null)
            throw new SpecException(SpecProblem.Parameter, $"-Parameter {subset} names only biases and BatchNorm or LayerNorm γ/β, which -IgnoreBiasAndNorm leaves out; add -IgnoreBiasAndNorm:$false.") { Value = subset.ToString() };
        return chosen;
    }

    /// <summary>Refuses a pattern that matches no name: a typo would otherwise silently shrink the subset.</summary>
    /// <exception cref="SpecException">A pattern names no parameter (<see cref="SpecProblem.Parameter"/>).</exception>
    public void Check(IReadOnlyCollection<string> names)
    {
        for (var i = 0; i < Patterns.Count; i++)
        {
            if (names.Any(matchers[i].IsMatch)) continue;
            var sample = string.Join(", ", names.Take(6)) + (names.Count > 6 ? ", …" : "");
            throw new SpecException(SpecProblem.Parameter, $"-Parameter '{Patterns[i]}' matches no parameter of the model; its parameters are {sample}; a checkpoint's Layers property lists them all.") { Value = Patterns[i] };
        }
    }

    public bool Equals(ParameterSubset? other) => other is not null && Patterns.SequenceEqual(other.Patterns, StringComparer.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as ParameterSubset);

    public override int GetHashCode() => Patterns.Aggregate(0, (hash, p) => HashCode.Combine(hash, StringComparer.Ordinal.GetHashCode(p)));

    public override string ToString() => string.Join(", ", Patterns.Select(p => $"'{p}'"));
}
