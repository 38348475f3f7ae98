using System.Text;

namespace LossLandscape.PowerShell.Tests;

// It changes the process-wide thread count and data set cache; the thread count would change the last bits of a training that runs beside it.
[Collection(ProcessWideSettings.Name)]
public sealed class NativeLoadTests(ModuleRunspace shell) : IClassFixture<ModuleRunspace>
{
    [Fact]
    public void ModuleImportLoadsTorchAndSaysHowUnderVerbose()
    {
        var result = shell.Invoke("Get-LandscapeSetting -Verbose").ShouldSucceed();

        var setting = Assert.Single(result.Output);
        var systemHasNewLibStdCxx = SystemLibStdCxxProvides("GLIBCXX_3.4.32");
        // On Debian 12 the shipped shim cannot load: the module must have used its patched copy.
        Assert.Equal(!systemHasNewLibStdCxx, (bool)setting.Properties["PatchedShim"].Value);
        Assert.Contains(result.Verbose, line => line.StartsWith("libtorch 2.10.0 from ", StringComparison.Ordinal) && line.Contains("libtorch_cpu.so", StringComparison.Ordinal));
        if (!systemHasNewLibStdCxx)
        {
            Assert.Contains(result.Verbose, line => line.Contains("GLIBCXX_3.4.32' not found", StringComparison.Ordinal) && line.Contains("patched copy", StringComparison.Ordinal));
        }
        Assert.Contains(result.Verbose, line => line.Contains("OMP_WAIT_POLICY=PASSIVE", StringComparison.Ordinal));
        Assert.Contains(result.Verbose, line => line.Contains("glibc malloc reuses blocks up to 32 MiB", StringComparison.Ordinal));
        Assert.StartsWith("glibc malloc reuses blocks", (string)setting.Properties["Allocator"].Value);
        Assert.Contains(result.Verbose, line => line.Contains("intra-op thread(s) in force", StringComparison.Ordinal));
    }

    [Fact]
    public void ThreadCountSettingReachesLibTorch()
    {
        var result = shell.Invoke("Set-LandscapeSetting -ThreadCount 1 -PassThru; Set-LandscapeSetting -ThreadCount 2 -PassThru").ShouldSucceed();
        Assert.Equal([1, 2], result.Output.Select(o => (int)o.Properties["ThreadCount"].Value));
    }

    [Fact]
    public void InvalidThreadCountIsAParameterError()
    {
        var result = shell.Invoke("Set-LandscapeSetting -ThreadCount 0");
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("ParameterArgumentValidationError,LossLandscape.PowerShell.Commands.SetLandscapeSettingCommand", error.FullyQualifiedErrorId);
    }

    [Fact]
    public void DatasetCacheCapacityRoundTripsThroughGetLandscapeSettingAndIsSaidUnderVerbose()
    {
        var original = (long)Assert.Single(shell.Invoke("Get-LandscapeSetting").ShouldSucceed().Output).Properties["DatasetCacheBytes"].Value;
        try
        {
            var result = shell.Invoke("Set-LandscapeSetting -DatasetCacheBytes 12345678; Get-LandscapeSetting -Verbose").ShouldSucceed();

            Assert.True(original > 0, $"The default capacity is {original} bytes.");
            Assert.Equal(12345678L, (long)Assert.Single(result.Output).Properties["DatasetCacheBytes"].Value);
            Assert.Contains(result.Verbose, line => line.StartsWith("Dataset cache: ", StringComparison.Ordinal) && line.Contains(" of 11.8 MiB used, ", StringComparison.Ordinal));
        }
        finally
        {
            shell.Invoke($"Set-LandscapeSetting -DatasetCacheBytes {original}").ShouldSucceed();
        }
    }

    [Fact]
    public void NegativeDatasetCacheBytesIsAParameterError()
    {
        var result = shell.Invoke("Set-LandscapeSetting -DatasetCacheBytes -1");
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("ParameterArgumentValidationError,LossLandscape.PowerShell.Commands.SetLandscapeSettingCommand", error.FullyQualifiedErrorId);
    }

    private static bool SystemLibStdCxxProvides(string version)
    {
        var candidates = new[] { "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" };
        var path = candidates.FirstOrDefault(File.Exists);
        if (path is null) return true;
        var bytes = File.ReadAllBytes(path);
        return bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(version + "\0")) >= 0;
    }
}
