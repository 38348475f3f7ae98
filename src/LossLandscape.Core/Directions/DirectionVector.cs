using LossLandscape.Core.Checkpoints;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace LossLandscape.Core.Directions;

/// <summary>
/// A direction in parameter space, flat in <see cref="ParameterLayout"/> order, with the recipe
/// that made it. <see cref="Buffers"/> is set only when BN running statistics move along it.
/// </summary>
public sealed class DirectionVector
{
    private string? sha256;

    /// <exception cref="DirectionNonFiniteException">A parameter or buffer value is NaN or infinite.</exception>
    public DirectionVector(DirectionRecipe recipe, float[] parameters, float[]? buffers = null)
    {
        var nonFinite = parameters.Count(v => !float.IsFinite(v)) + (buffers?.Count(v => !float.IsFinite(v)) ?? 0);
        if (nonFinite > 0) throw new DirectionNonFiniteException(recipe, nonFinite, parameters.Length + (buffers?.Length ?? 0));
        Recipe = recipe;
        Parameters = parameters;
        Buffers = buffers;
        Norm = Math.Sqrt(parameters.Sum(v => (double)v * v));
    }

    public DirectionRecipe Recipe { get; }

    public float[] Parameters { get; }

    public float[]? Buffers { get; }

    /// <summary>Euclidean norm over the parameters, in float64.</summary>
    public double Norm { get; }

    /// <summary>SHA-256 of the float32 values (parameters, then buffers): the direction's identity.</summary>
    public string Sha256 => sha256 ??= ComputeSha256();

    public double CosineTo(DirectionVector other)
    {
        if (other.Parameters.Length != Parameters.Length) throw new ArgumentException("The directions belong to different models.", nameof(other));
        double dot = 0;
        for (var i = 0; i < Parameters.Length; i++) dot += (double)Parameters[i] * other.Parameters[i];
        return Norm == 0 || other.Norm == 0 ? 0 : dot / (Norm * other.Norm);
    }

    private string ComputeSha256()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(MemoryMarshal.AsBytes(Parameters.AsSpan()));
        if (Buffers is not null) hash.AppendData(MemoryMarshal.AsBytes(Buffers.AsSpan()));
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }
}
