namespace LossLandscape.Core.Data;

/// <summary>
/// The grokking task of Power et al. 2022: every equation a ∘ b = c (mod p) for a prime p, as token
/// sequences [a, ∘, b, =] whose one target is c at the '=' position. Tokens 0..p−1 are the numbers,
/// p..p+3 the operations + − × ÷ and p+4 is '=', so the vocabulary is p + 5. Division is a · b⁻¹ over
/// b ∈ 1..p−1, so its table has p(p−1) equations, the others p². A seeded permutation of the table
/// puts ⌊fraction · N⌋ equations (at least 1 and at most N − 1) in Train and the rest in Test, each
/// split in table order (a, then b, ascending).
/// </summary>
public static class ModularArithmeticData
{
    public const string Name = "ModularArithmetic";

    public const int SequenceLength = 4;

    /// <summary>The largest modulus accepted: the table of the largest prime below it (4093) fits <see cref="DatasetLimits.MaxTokenPositions"/>.</summary>
    public const int MaxModulus = 4096;

    /// <summary>The token of the first operation (+); the others follow in <see cref="ModularOperation"/> order, then '='.</summary>
    public static int OperationToken(int modulus, ModularOperation operation) => modulus + (int)operation;

    public static int EqualsToken(int modulus) => modulus + 4;

    /// <exception cref="ArgumentException">A modulus that is not a prime in 2..<see cref="MaxModulus"/>, or a train fraction outside (0, 1).</exception>
    public static DatasetArrays Load(TokenOptions? options, DatasetSplit split)
    {
        var settings = options ?? TokenOptions.ModularArithmeticDefaults;
        var p = settings.Modulus;
        if (p > MaxModulus)
            throw new ArgumentException($"Modulus {p} is too large: its table of {(long)p * p} equations would exceed the {DatasetLimits.MaxTokenPositions} token positions a data set may hold; the largest modulus is {MaxModulus}.", nameof(options));
        if (!IsPrime(p))
            throw new ArgumentException($"Modulus {p} is not a prime; modular arithmetic needs a prime p (division needs every b ≠ 0 to have an inverse). Primes near it: {NearestPrimes(p)}.", nameof(options));
        if (!Enum.IsDefined(settings.Operation))
            throw new ArgumentException($"Unknown operation '{settings.Operation}'. Known: {string.Join(", ", Enum.GetNames<ModularOperation>())}.", nameof(options));
        if (!(settings.TrainFraction > 0 && settings.TrainFraction < 1))
            throw new ArgumentException($"TrainFraction must lie strictly between 0 and 1 (got {settings.TrainFraction}).", nameof(options));

        var operation = settings.Operation;
        // Equation k is (a, b) = (k / bCount, firstB + k % bCount): the table is never held, only the chosen rows.
        var firstB = operation == ModularOperation.Divide ? 1 : 0;
        var bCount = p - firstB;
        var inverses = operation == ModularOperation.Divide ? Enumerable.Range(0, p).Select(b => b == 0 ? 0 : Inverse(b, p)).ToArray() : [];
        var equationCount = p * bCount;
        var trainCount = TrainCount(equationCount, settings.TrainFraction);
        var order = DeterministicShuffle.Permutation(equationCount, settings.SplitSeed);
        var chosen = (split == DatasetSplit.Train ? order.Take(trainCount) : order.Skip(trainCount)).Order().ToArray();

        var tokens = new long[chosen.Length * SequenceLength];
        var targets = new long[chosen.Length * SequenceLength];
        Array.Fill(targets, DatasetArrays.IgnoredTarget);
        for (var i = 0; i < chosen.Length; i++)
        {
            long a = chosen[i] / bCount, b = firstB + chosen[i] % bCount;
            var c = operation switch
            {
                ModularOperation.Add => (a + b) % p,
                ModularOperation.Subtract => (a - b + p) % p,
                ModularOperation.Multiply => a * b % p,
                _ => a * inverses[b] % p,
            };
            var row = i * SequenceLength;
            tokens[row] = a;
            tokens[row + 1] = OperationToken(p, operation);
            tokens[row + 2] = b;
            tokens[row + 3] = EqualsToken(p);
            targets[row + 3] = c;
        }
        return DatasetArrays.FromTokens(tokens, targets, SequenceLength, p + 5);
    }

    /// <summary>⌊fraction · count⌋, kept within 1..count − 1 so that neither split is empty.</summary>
    public static int TrainCount(int count, double fraction) => Math.Clamp((int)Math.Floor(fraction * count), 1, count - 1);

    /// <summary>b^(p−2) mod p, the inverse by Fermat's little theorem.</summary>
    private static long Inverse(int b, int p)
    {
        long result = 1, power = b;
        for (var exponent = p - 2; exponent > 0; exponent >>= 1)
        {
            if ((exponent & 1) == 1) result = result * power % p;
            power = power * power % p;
        }
        return result;
    }

    private static bool IsPrime(int n)
    {
        if (n < 2) return false;
        for (var d = 2; d * d <= n; d++)
        {
            if (n % d == 0) return false;
        }
        return true;
    }

    private static string NearestPrimes(int n)
    {
        var below = Enumerable.Range(2, Math.Clamp(n - 2, 0, MaxModulus)).Where(IsPrime).TakeLast(1);
        var above = Enumerable.Range(Math.Max(n, 2), MaxModulus).Where(candidate => candidate <= MaxModulus).Where(IsPrime).Take(1);
        return string.Join(", ", below.Concat(above));
    }
}
