using System.Management.Automation;
using LossLandscape.Core.Common;
using LossLandscape.Core.Native;

namespace LossLandscape.PowerShell.Infrastructure;

/// <summary>Base of the cmdlets that need libtorch: loads it once and says under -Verbose what was loaded.</summary>
public abstract class LandscapeCmdlet : PSCmdlet
{
    private LandscapeRuntime? runtime;

    /// <summary>The process's runtime, handed to the engines; set by <see cref="EnsureRuntime"/> (or a compute cmdlet's BeginProcessing).</summary>
    protected LandscapeRuntime Runtime => runtime ?? throw new InvalidOperationException($"{GetType().Name} used the runtime before loading it.");

    /// <summary>Loads the native runtime (a terminating error if that fails) and writes its report to the verbose stream.</summary>
    protected LandscapeRuntime EnsureRuntime()
    {
        var loaded = LoadRuntime();
        WriteVerbose($"Device {ComputeDevice.Cpu}; {loaded.ThreadCount} intra-op thread(s) in force.");
        return loaded;
    }

    private protected LandscapeRuntime LoadRuntime()
    {
        try
        {
            runtime = ModuleRuntime.Load();
        }
        catch (Exception e) when (e is TorchLoadException or DllNotFoundException or BadImageFormatException)
        {
            ThrowTerminatingError(new ErrorRecord(e, ErrorIds.NativeRuntimeLoadFailed, ErrorCategory.ResourceUnavailable, null));
            throw;
        }
        foreach (var line in runtime.Describe()) WriteVerbose(line);
        return runtime;
    }

    /// <summary>False (with an OutputFileExists error) when <paramref name="file"/> exists and -Force was not given: existing results are never overwritten by accident.</summary>
    protected bool MayWrite(string file, bool force)
    {
        if (!FolderExistsFor(file)) return false;
        if (!File.Exists(file) || force) return true;
        WriteError(new IOException($"'{file}' exists; use -Force to overwrite it."), ErrorIds.OutputFileExists, ErrorCategory.ResourceExists, file);
        return false;
    }

    /// <summary>False (with an OutputFolderMissing error) when the folder that would hold <paramref name="file"/> does not exist: checked before anything is computed.</summary>
    protected bool FolderExistsFor(string file)
    {
        var folder = Path.GetDirectoryName(file);
        if (string.IsNullOrEmpty(folder) || Directory.Exists(folder)) return true;
        var reason = File.Exists(folder) ? $"'{folder}' is a file, not a folder" : $"the folder '{folder}' does not exist";
        WriteError(new DirectoryNotFoundException($"Cannot write '{file}': {reason}. Create the folder first."), ErrorIds.OutputFolderMissing, ErrorCategory.ObjectNotFound, file);
        return false;
    }

    protected void WriteError(Exception exception, string errorId, ErrorCategory category, object? target) =>
        WriteError(new ErrorRecord(exception, errorId, category, target));

    /// <summary>
    /// Runs a training (of a model or of a curve's bend) into <paramref name="directory"/> and reports how it
    /// failed as every training command does; a stop becomes the pipeline's stop, finished epochs kept.
    /// </summary>
    /// <param name="argumentErrorId">The id of a setting the run refuses, with <paramref name="argumentTarget"/> as its target.</param>
    private protected void RunTraining(Action train, CmdletTrainingObserver observer, string directory, string argumentErrorId, object argumentTarget)
    {
        try
        {
            train();
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
        catch (Core.Training.TrainingDivergedException e)
        {
            WriteError(e, ErrorIds.TrainingDiverged, ErrorCategory.InvalidResult, directory);
        }
        catch (IOException e) when (e.IsStorageFailure())
        {
            WriteError(e, ErrorIds.OutputWriteFailed, ErrorCategory.WriteError, directory);
        }
        catch (Core.Training.TrainingDirectoryConflictException e)
        {
            WriteError(e, ErrorIds.TrainingDirectoryConflict, ErrorCategory.ResourceExists, directory);
        }
        catch (ArgumentException e)
        {
            WriteError(e, argumentErrorId, ErrorCategory.InvalidArgument, argumentTarget);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or Core.Checkpoints.CheckpointException or UnauthorizedAccessException)
        {
            WriteError(e, ErrorIds.TrainingFailed, ErrorCategory.InvalidOperation, directory);
        }
        finally
        {
            observer.Complete();
        }
    }
}
