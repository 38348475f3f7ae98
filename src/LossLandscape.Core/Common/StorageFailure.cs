namespace LossLandscape.Core.Common;

/// <summary>
/// Tells write failures of the storage itself (full disk, read-only file system, quota) from other
/// I/O errors: they are the user's to fix where the output goes, not a sign of a damaged input file.
/// </summary>
public static class StorageFailure
{
    // On Unix .NET puts the raw errno into IOException.HResult; on Windows the Win32 error as an HRESULT.
    private const int NoSpaceErrno = 28;
    private const int ReadOnlyFileSystemErrno = 30;
    private const int QuotaExceededErrno = 122;
    private const int WindowsDiskFull = unchecked((int)0x80070070);
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);
    private const int WindowsWriteProtected = unchecked((int)0x80070013);

    public static bool IsStorageFailure(this Exception exception) =>
        exception is IOException { HResult: NoSpaceErrno or ReadOnlyFileSystemErrno or QuotaExceededErrno or WindowsDiskFull or WindowsHandleDiskFull or WindowsWriteProtected }
        || exception.InnerException?.IsStorageFailure() == true;
}
