namespace LossLandscape.Core.Tests.Formats;

/// <summary>A file in the temp folder holding given bytes, deleted on dispose.</summary>
internal sealed class TemporaryFile : IDisposable
{
    public TemporaryFile(byte[] content, string extension = ".bin")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"losslandscape-formats-{Guid.NewGuid():N}{extension}");
        File.WriteAllBytes(Path, content);
    }

    public string Path { get; }

    public void Dispose() => File.Delete(Path);
}
