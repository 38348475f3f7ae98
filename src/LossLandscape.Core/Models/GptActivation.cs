using System.Text.Json.Serialization;

namespace LossLandscape.Core.Models;

/// <summary>The GELU in <see cref="Gpt"/>'s MLP. The two differ by up to ~5e-4, enough to change a model's logits past 1e-5.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GptActivation>))]
public enum GptActivation
{
    /// <summary>GPT-2's tanh approximation (Hugging Face's activation_function "gelu_new").</summary>
    GeluNew,

    /// <summary>The exact x·Φ(x) with the error function: nanoGPT's nn.GELU() and Hugging Face's "gelu".</summary>
    Gelu,
}
