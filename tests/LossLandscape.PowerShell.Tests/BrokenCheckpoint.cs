using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace LossLandscape.PowerShell.Tests;

internal static class BrokenCheckpoint
{
    /// <summary>
    /// Copies one of our checkpoints into <paramref name="folder"/> with its last float32 (the final
    /// layer's last bias) set to NaN, the side file's hash kept honest; returns the new .dat path.
    /// </summary>
    public static string WithNaN(string statePath, string folder) => WithValue(statePath, folder, float.NaN);

    /// <summary>As <see cref="WithNaN"/>, with <paramref name="value"/> (e.g. an infinity) as the last float32.</summary>
    public static string WithValue(string statePath, string folder, float value)
    {
        Directory.CreateDirectory(folder);
        var bytes = File.ReadAllBytes(statePath);
        BitConverter.GetBytes(value).CopyTo(bytes, bytes.Length - 4);
        var target = Path.Combine(folder, Path.GetFileName(statePath));
        File.WriteAllBytes(target, bytes);
        var hash = Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
        var json = Regex.Replace(File.ReadAllText(Path.ChangeExtension(statePath, ".json")), "\"stateSha256\": \"[0-9a-f]+\"", $"\"stateSha256\": \"{hash}\"");
        File.WriteAllText(Path.ChangeExtension(target, ".json"), json);
        return target;
    }
}
