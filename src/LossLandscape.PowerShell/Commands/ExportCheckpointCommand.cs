using System.Management.Automation;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Checkpoints.Formats;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// Writes any loaded checkpoint's state dictionary as a PyTorch file (<c>torch.load</c> reads it;
/// load it with <c>model.load_state_dict</c>) or as safetensors.
/// </summary>
[Cmdlet(VerbsData.Export, "Checkpoint", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportCheckpointCommand : LandscapeCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [Rehydrate(typeof(Checkpoint))]
    public Checkpoint Checkpoint { get; set; } = null!;

    /// <summary>The file to write (.pt / .pth, or .safetensors).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Path { get; set; } = "";

    /// <summary>PyTorch (the zip format of torch.save) or Safetensors; by default the one the file's extension names (.safetensors, else PyTorch).</summary>
    [Parameter]
    public CheckpointFormat? Format { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void BeginProcessing() => EnsureRuntime();

    protected override void ProcessRecord()
    {
        var file = GetUnresolvedProviderPathFromPSPath(Path);
        // Without -Format the extension decides: a fixed PyTorch default wrote pickles into 'x.safetensors',
        // which every safetensors reader (ours included) then refuses.
        var format = Format
            ?? (string.Equals(System.IO.Path.GetExtension(file), ".safetensors", StringComparison.OrdinalIgnoreCase) ? CheckpointFormat.Safetensors : CheckpointFormat.PyTorch);
        if (format is not (CheckpointFormat.PyTorch or CheckpointFormat.Safetensors))
        {
            WriteError(new ArgumentException($"Export-Checkpoint writes PyTorch or Safetensors files, not {format}."), ErrorIds.CheckpointExportFailed, ErrorCategory.InvalidArgument, format);
            return;
        }
        if (!MayWrite(file, Force)) return;
        if (!ShouldProcess(file, $"Write {Checkpoint.Name} as {format}")) return;
        try
        {
            var state = CheckpointExporter.StateOf(Runtime, Checkpoint.Info);
            if (format == CheckpointFormat.Safetensors) SafetensorsWriter.Write(file, state);
            else PyTorchCheckpointWriter.Write(file, state);
            WriteVerbose($"{state.Tensors.Count} tensors of {Checkpoint.Name} written to {file} ({format}).");
            if (PassThru) WriteObject(new FileInfo(file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CheckpointException)
        {
            WriteError(e, ErrorIds.CheckpointExportFailed, ErrorCategory.WriteError, file);
        }
    }
}
