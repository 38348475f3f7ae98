using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace LossLandscape.Core.Checkpoints;

/// <summary>Checks made on a checkpoint path before any file is opened.</summary>
public static class CheckpointFiles
{
    private const int AtCurrentDirectory = -100;
    private const uint StatxType = 0x1;
    private const int StatxBufferBytes = 256;
    private const int StatxModeOffset = 28;
    private const int FileTypeMask = 0xF000;
    private const int RegularFileType = 0x8000;

    /// <summary>
    /// Refuses FIFOs, character and block devices and sockets (following links): opening a FIFO
    /// for reading blocks until a writer comes, possibly forever, and a device can stream without
    /// end. .NET reports no file type, so Linux's <c>statx</c> is asked; elsewhere such names are
    /// not reachable through ordinary paths, and where statx is missing (a libc without it, a
    /// sandbox refusing it) nothing is checked: the file is then opened as before.
    /// </summary>
    /// <exception cref="CheckpointException">Of kind <see cref="CheckpointErrorKind.NotRegularFile"/>.</exception>
    public static void EnsureRegular(string path)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(path)) return;
        var buffer = new byte[StatxBufferBytes];
        try
        {
            if (NativeMethods.Statx(AtCurrentDirectory, path, 0, StatxType, buffer) != 0) return;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return;
        }
        var type = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(StatxModeOffset)) & FileTypeMask;
        if (type != RegularFileType)
            throw new CheckpointException(CheckpointErrorKind.NotRegularFile, path, $"'{path}' is a {TypeName(type)}, not a regular file: checkpoints are read only from regular files.");
    }

    private static string TypeName(int type) => type switch
    {
        0x1000 => "FIFO (named pipe)",
        0x2000 => "character device",
        0x6000 => "block device",
        0xC000 => "socket",
        _ => "special file",
    };

    private static class NativeMethods
    {
        [DllImport("libc.so.6", EntryPoint = "statx", SetLastError = true)]
        public static extern int Statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
    }
}
