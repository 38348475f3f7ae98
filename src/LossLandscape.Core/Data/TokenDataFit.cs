using LossLandscape.Core.Models;

namespace LossLandscape.Core.Data;

/// <summary>
/// Whether a model and a data set are of the same kind: the decoder reads token sequences, every other
/// architecture images. One rule for training and for surfaces, so both refuse a mismatch with the
/// same words before anything is computed.
/// </summary>
public static class TokenDataFit
{
    /// <summary>The zoo's decoder: the one architecture that reads tokens.</summary>
    public const string GptArchitecture = nameof(Gpt);

    public static bool ReadsTokens(ModelSpec model) => string.Equals(model.Architecture, GptArchitecture, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Why <paramref name="data"/> cannot feed <paramref name="model"/>, when either side is about tokens:
    /// a kind mismatch, another vocabulary, sequences longer than the context, or a token or target
    /// outside the vocabulary. Null when they fit, and for image data with an image model (whose shape
    /// and classes the caller checks).
    /// </summary>
    public static string? Problem(ModelSpec model, DatasetArrays data)
    {
        var readsTokens = ReadsTokens(model);
        if (readsTokens && !data.IsTokenData)
            return $"{model.Architecture} reads token sequences, but the data set holds {data.Channels}×{data.Height}×{data.Width} images; give it token data (ModularArithmetic, or a TokenBin or Npy folder).";
        if (!readsTokens && data.IsTokenData)
            return $"{model.Architecture} classifies images, but the data set holds token sequences of length {data.SequenceLength}; token data needs the {GptArchitecture} model.";
        if (!data.IsTokenData) return null;
        if (model.ClassCount != data.ClassCount)
            return $"The model has a vocabulary of {model.ClassCount} tokens but the data set has {data.ClassCount}.";
        if (data.SequenceLength > model.ContextLength)
            return $"The data set's sequences have {data.SequenceLength} tokens but the model reads at most {model.ContextLength} (its context length).";
        var badToken = Array.FindIndex(data.Tokens!, token => token < 0 || token >= data.ClassCount);
        if (badToken >= 0) return $"The data set has a token {data.Tokens![badToken]} outside the vocabulary 0..{data.ClassCount - 1}.";
        var badTarget = Array.FindIndex(data.Labels, target => target != DatasetArrays.IgnoredTarget && (target < 0 || target >= data.ClassCount));
        return badTarget >= 0
            ? $"The data set has a target {data.Labels[badTarget]} outside the vocabulary 0..{data.ClassCount - 1} (and not {DatasetArrays.IgnoredTarget}, the mark outside the loss mask)."
            : null;
    }
}
