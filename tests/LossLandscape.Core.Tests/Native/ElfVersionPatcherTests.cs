using System.Buffers.Binary;
using System.Text;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Tests.Native;

public sealed class ElfVersionPatcherTests
{
    private static readonly string ShippedShim = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [Fact]
    public void TheShippedShimNeedsGlibcxx3432AndThePatchedCopyNoLongerDoes()
    {
        var original = File.ReadAllBytes(ShippedShim);
        Assert.True(ElfVersionPatcher.RequiresVersion(original));

        var result = ElfVersionPatcher.Patch(original);

        Assert.True(result.VersionFound);
        Assert.Equal(original.Length, result.Image.Length);
        Assert.Contains("_ZSt21ios_base_library_initv -> _ZSt15get_new_handlerv", result.ReboundSymbols);
        // The requirement is still listed (the table layout is unchanged) but is weak now.
        Assert.True(ElfVersionPatcher.RequiresVersion(result.Image));
        Assert.Equal(-1, IndexOf(result.Image, "_ZSt21ios_base_library_initv\0"));
        Assert.True(IndexOf(original, "_ZSt21ios_base_library_initv\0") >= 0);
        var differing = original.Zip(result.Image).Count(pair => pair.First != pair.Second);
        Assert.InRange(differing, 3, 64);
    }

    [Fact]
    public void PatchingIsDeterministicAndIdempotent()
    {
        var original = File.ReadAllBytes(ShippedShim);
        var once = ElfVersionPatcher.Patch(original).Image;
        Assert.Equal(once, ElfVersionPatcher.Patch(original).Image);
        var twice = ElfVersionPatcher.Patch(once);
        Assert.Equal(once, twice.Image);
        Assert.Empty(twice.ReboundSymbols);
    }

    [Fact]
    public void AnImageWithoutThatRequirementIsLeftAsItIs()
    {
        var libc10 = File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(ShippedShim)!, "libc10.so"));
        var result = ElfVersionPatcher.Patch(libc10, "GLIBCXX_9.9.99");
        Assert.False(result.VersionFound);
        Assert.Equal(libc10, result.Image);
    }

    [Fact]
    public void NonElfAndTruncatedInputsAreRefusedWithoutReadingOutOfBounds()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.Patch(Encoding.ASCII.GetBytes("#!/bin/sh\necho not a library\n")));
        var header = File.ReadAllBytes(ShippedShim)[..4096];
        Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.Patch(header));
        var bigEndian = File.ReadAllBytes(ShippedShim)[..64];
        bigEndian[5] = 2;
        Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.Patch(bigEndian));
    }

    [Fact]
    public void TheRuntimeLoadedThePatchedCopyExactlyWhenTheSystemLibStdCxxIsTooOld()
    {
        var report = LandscapeRuntime.Load().Report;
        var libstdcxx = new[] { "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6" }.First(File.Exists);
        var systemHasIt = IndexOf(File.ReadAllBytes(libstdcxx), "GLIBCXX_3.4.32\0") >= 0;

        Assert.Equal(!systemHasIt, report.UsedPatchedShim);
        if (report.PatchedShimPath is { } patched)
        {
            Assert.Equal(ElfVersionPatcher.Patch(File.ReadAllBytes(report.ShimPath)).Image, File.ReadAllBytes(patched));
        }
        using var product = TorchSharp.torch.tensor(new float[] { 1, 2, 3 }).dot(TorchSharp.torch.tensor(new float[] { 4, 5, 6 }));
        Assert.Equal(32f, product.item<float>());
        Assert.Equal("PASSIVE", report.OmpWaitPolicy);
        Assert.Equal("PASSIVE", Environment.GetEnvironmentVariable("OMP_WAIT_POLICY"));
        Assert.Equal("AUTO,STRICT", report.MklConditionalReproducibility);
    }

    private static int IndexOf(byte[] haystack, string needle) => haystack.AsSpan().IndexOf(Encoding.ASCII.GetBytes(needle));
}
