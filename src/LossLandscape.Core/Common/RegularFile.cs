using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace LossLandscape.Core.Common;

/// <summary>
/// Readers open only regular files: opening a FIFO blocks until someone writes to it, and a device
/// such as /dev/zero or /dev/urandom never ends, so either would hang or exhaust the reading process.
/// </summary>
public static class RegularFile
{
    private const int AtFileDescriptorCwd = -100;
    private const uint StatxType = 0x0001;
    private const int StatxBufferBytes = 256;
    private const int StatxModeOffset = 28;
    private const int FileTypeMask = 0xF000;
    private const int RegularFileType = 0x8000;
    private const int DirectoryType = 0x4000;

    /// <summary>Checks, without opening it, that <paramref name="path"/> (symbolic links followed) is a regular file.</summary>
    /// <param name="what">What the file should be, for the message (e.g. "surface file").</param>
    /// <exception cref="FileNotFoundException">Nothing exists at the path.</exception>
    /// <exception cref="InvalidDataException">It is a directory, FIFO, socket or device.</exception>
    public static void Require(string path, string what)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) throw new InvalidDataException($"'{path}' is a directory, not a {what}.");
        if (!File.Exists(path)) throw new FileNotFoundException($"The {what} '{path}' does not exist.", path);
        if (SpecialKind(path) is { } kind)
            throw new InvalidDataException($"'{path}' is {kind}, not a regular file; a {what} is read only from a regular file.");
    }

    /// <summary>Reads a small regular file whole, refusing it before reading when it holds more than <paramref name="maxBytes"/>.</summary>
    /// <exception cref="FileNotFoundException">Nothing exists at the path.</exception>
    /// <exception cref="InvalidDataException">It is not a regular file, or larger than <paramref name="maxBytes"/>.</exception>
    public static byte[] ReadAllBytes(string path, string what, long maxBytes)
    {
        Require(path, what);
        var length = new FileInfo(path).Length;
        if (length > maxBytes) throw new InvalidDataException($"'{path}' holds {length} bytes; a {what} holds at most {maxBytes}.");
        return File.ReadAllBytes(path);
    }

    /// <summary>
    /// What an existing <paramref name="path"/> is when it is not a regular file ("a FIFO (named pipe)",
    /// "a character device", …), or null when it is one. .NET reports no file type, so Linux's statx is
    /// asked without opening the file; elsewhere such names are not reachable through ordinary paths,
    /// and where statx is missing (a libc without it, a sandbox refusing it) null is returned.
    /// </summary>
    public static string? SpecialKind(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        var buffer = new byte[StatxBufferBytes];
        try
        {
            if (Statx(AtFileDescriptorCwd, path, 0, StatxType, buffer) != 0) return null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
        var type = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(StatxModeOffset)) & FileTypeMask;
        return type == RegularFileType ? null : Describe(type);
    }

    private static string Describe(int type) => type switch
    {
        DirectoryType => "a directory",
        0x1000 => "a FIFO (named pipe)",
        0xC000 => "a socket",
        0x2000 => "a character device",
        0x6000 => "a block device",
        _ => $"of file type 0x{type:X4}",
    };

    // statx's buffer layout is the same on every Linux architecture, unlike struct stat's.
    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
}
