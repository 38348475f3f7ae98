namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>
/// What a PyTorch checkpoint held: its state dictionary, how it was found (for example
/// "zip format; dict key 'state_dict'; 'module.' prefix stripped"), and the scalar entries saved
/// beside it (the paper's code saves <c>acc</c> and <c>epoch</c>) as long, double, string or bool.
/// </summary>
public sealed record PyTorchCheckpoint(
    StateDictionary State,
    PyTorchCheckpointFormat Format,
    string Description,
    IReadOnlyDictionary<string, object> Extras);
