using System.Globalization;
using System.Text.Json.Serialization;

namespace LossLandscape.Core.Data;

/// <summary>
/// How a token data set is made: the modular-arithmetic table (<see cref="Modulus"/>, <see cref="Operation"/>,
/// <see cref="TrainFraction"/>, <see cref="SplitSeed"/>) or the windows cut from token files
/// (<see cref="ContextLength"/>, <see cref="Stride"/>, <see cref="VocabularySize"/>). Values that do
/// not apply stay 0 and are not written.
/// </summary>
public sealed record TokenOptions
{
    /// <summary>The built-in table's settings when a reference names ModularArithmetic without options.</summary>
    public static TokenOptions ModularArithmeticDefaults { get; } = new() { Modulus = 97, Operation = ModularOperation.Add, TrainFraction = 0.5 };

    /// <summary>The prime p of ModularArithmetic.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Modulus { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ModularOperation Operation { get; init; }

    /// <summary>The share of the ModularArithmetic table in the Train split, in (0, 1).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public double TrainFraction { get; init; }

    /// <summary>Seed of the ModularArithmetic train/test split.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long SplitSeed { get; init; }

    /// <summary>Tokens per window cut from a .bin stream (T).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int ContextLength { get; init; }

    /// <summary>Tokens between the starts of consecutive windows; 0 means <see cref="ContextLength"/> (windows that do not overlap).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Stride { get; init; }

    /// <summary>The vocabulary of token files; 0 means the largest token in the folder + 1.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int VocabularySize { get; init; }

    /// <summary>The options that apply, for a reference's one-line description.</summary>
    public string Describe()
    {
        if (Modulus != 0)
            return string.Create(CultureInfo.InvariantCulture, $"p {Modulus}, {Operation}, train fraction {TrainFraction}, split seed {SplitSeed}");
        var parts = new List<string>();
        if (ContextLength != 0) parts.Add(Stride != 0 ? $"windows of {ContextLength}, stride {Stride}" : $"windows of {ContextLength}");
        if (VocabularySize != 0) parts.Add($"vocabulary {VocabularySize}");
        return string.Join(", ", parts);
    }
}

/// <summary>The operation ∘ of the ModularArithmetic table a ∘ b = c (mod p).</summary>
public enum ModularOperation
{
    Add,
    Subtract,
    Multiply,

    /// <summary>a · b⁻¹ mod p, over b ∈ 1..p−1.</summary>
    Divide,
}
