namespace LossLandscape.PowerShell.Infrastructure;

/// <summary>Stable error identifiers users can catch on (<c>$_.FullyQualifiedErrorId</c>).</summary>
public static class ErrorIds
{
    public const string NativeRuntimeLoadFailed = "NativeRuntimeLoadFailed";
    public const string DeviceUnavailable = "DeviceUnavailable";
    public const string CheckpointNotFound = "CheckpointNotFound";
    public const string CheckpointIsDirectory = "CheckpointIsDirectory";
    public const string CheckpointMetadataMissing = "CheckpointMetadataMissing";
    public const string CheckpointCorrupt = "CheckpointCorrupt";
    public const string CheckpointUnreadable = "CheckpointUnreadable";
    public const string CheckpointArchitectureUnknown = "CheckpointArchitectureUnknown";
    public const string CheckpointArchitectureMismatch = "CheckpointArchitectureMismatch";
    public const string CheckpointNonFinite = "CheckpointNonFinite";
    public const string CheckpointUnsafe = "CheckpointUnsafe";
    public const string CheckpointExportFailed = "CheckpointExportFailed";
    public const string DatasetUnknown = "DatasetUnknown";
    public const string DatasetFilesMissing = "DatasetFilesMissing";
    public const string DatasetFileInvalid = "DatasetFileInvalid";
    public const string DatasetSubsetInvalid = "DatasetSubsetInvalid";
    public const string ModelUnknown = "ModelUnknown";
    public const string ParameterNotMatched = "ParameterNotMatched";
    public const string TrainingArgumentInvalid = "TrainingArgumentInvalid";
    public const string TrainingDirectoryConflict = "TrainingDirectoryConflict";
    public const string TrainingFailed = "TrainingFailed";
    public const string TrainingDiverged = "TrainingDiverged";
    public const string DirectionInvalid = "DirectionInvalid";
    public const string DirectionFileInvalid = "DirectionFileInvalid";
    public const string DirectionCheckpointMismatch = "DirectionCheckpointMismatch";
    public const string DirectionsIdentical = "DirectionsIdentical";
    public const string DirectionNonFinite = "DirectionNonFinite";
    public const string OutputFileExists = "OutputFileExists";
    public const string OutputFolderMissing = "OutputFolderMissing";
    public const string OutputWriteFailed = "OutputWriteFailed";
    public const string SurfaceArgumentInvalid = "SurfaceArgumentInvalid";
    public const string SurfaceRangeInvalid = "SurfaceRangeInvalid";
    public const string SurfaceSettingsMismatch = "SurfaceSettingsMismatch";
    public const string SurfaceFileInvalid = "SurfaceFileInvalid";
    public const string SurfaceShardInvalid = "SurfaceShardInvalid";
    public const string DirectionCountInvalid = "DirectionCountInvalid";
    public const string SurfaceShardsDisagree = "SurfaceShardsDisagree";
    public const string SurfaceShardsOverlap = "SurfaceShardsOverlap";
    public const string SurfaceShardsIncomplete = "SurfaceShardsIncomplete";
    public const string SchedulerUnavailable = "SchedulerUnavailable";
    public const string SchedulerCommandFailed = "SchedulerCommandFailed";
    public const string ShellNotFound = "ShellNotFound";
    public const string SurfaceJobNotFound = "SurfaceJobNotFound";
    public const string SurfaceJobExists = "SurfaceJobExists";
    public const string SurfaceJobIncomplete = "SurfaceJobIncomplete";
    public const string SurfaceJobArgumentInvalid = "SurfaceJobArgumentInvalid";
    public const string PlotFailed = "PlotFailed";
    public const string TrajectoryInvalid = "TrajectoryInvalid";
    public const string CurvatureInvalid = "CurvatureInvalid";
    public const string SharpnessInvalid = "SharpnessInvalid";
    public const string CheckpointTooLarge = "CheckpointTooLarge";
    public const string CheckpointHashMismatch = "CheckpointHashMismatch";
    public const string CheckpointNotRegularFile = "CheckpointNotRegularFile";
}
