using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using Parameter = TorchSharp.Modules.Parameter;

namespace LossLandscape.Core.Models;

/// <summary>
/// A GPT-2 decoder (Radford et al. 2019, as Hugging Face's GPT2LMHeadModel defines it): token and
/// learned position embeddings <c>wte</c>, <c>wpe</c>; blocks <c>h.N</c> of pre-LayerNorm causal
/// self-attention and a 4× MLP with gelu_new (or the exact erf GELU, see <see cref="GptActivation"/>); a final <c>ln_f</c>; logits = h·wteᵀ. The head is tied
/// by construction — there is no <c>lm_head</c> parameter — so perturbing <c>wte</c> moves both.
/// Maps int64 tokens [B, T] (T ≤ the context length) to float logits [B, T, vocabulary]. Parameter
/// names, shapes and order are GPT-2's (see <see cref="GptLayout.Parameters"/>).
/// </summary>
public sealed class Gpt : PyTorchOrderedModule
{
    /// <summary>GPT-2's initializer_range: the standard deviation of every weight at initialisation.</summary>
    public const double InitializerRange = 0.02;

    /// <summary>GPT-2's layer_norm_epsilon.</summary>
    public const double LayerNormEpsilon = 1e-5;

    // Fields carry PyTorch's names: RegisterComponents names the submodules after them.
    private readonly TorchSharp.Modules.Embedding wte;
    private readonly TorchSharp.Modules.Embedding wpe;
    private readonly TorchSharp.Modules.ModuleList<GptBlock> h;
    private readonly Module<Tensor, Tensor> ln_f;

    /// <param name="vocabulary">Token count (vocab_size); also the number of logits per position.</param>
    /// <param name="contextLength">Learned positions (n_positions): the longest window the model reads.</param>
    /// <param name="activation">The MLP's GELU: GPT-2's gelu_new, or nanoGPT's exact erf form.</param>
    public Gpt(int layerCount, int headCount, int embeddingWidth, int vocabulary, int contextLength, GptActivation activation = GptActivation.GeluNew) : base(nameof(Gpt))
    {
        Vocabulary = vocabulary;
        ContextLength = contextLength;
        wte = Embedding(vocabulary, embeddingWidth);
        wpe = Embedding(contextLength, embeddingWidth);
        using (no_grad())
        {
            init.normal_(wte.weight!, 0, InitializerRange);
            init.normal_(wpe.weight!, 0, InitializerRange);
        }
        h = new TorchSharp.Modules.ModuleList<GptBlock>(Enumerable.Range(0, layerCount).Select(_ => new GptBlock(headCount, embeddingWidth, layerCount, activation)).ToArray());
        ln_f = LayerNorm(embeddingWidth, LayerNormEpsilon);
        RegisterComponents();
    }

    public int Vocabulary { get; }

    public int ContextLength { get; }

    /// <exception cref="ArgumentException">The tokens are not int64 [B, T] with 1 ≤ T ≤ <see cref="ContextLength"/>, or a token lies outside the vocabulary.</exception>
    public override Tensor forward(Tensor input)
    {
        ValidateTokens(input);
        using var scope = NewDisposeScope();
        var length = input.shape[1];
        var positions = arange(length, ScalarType.Int64, input.device);
        var hidden = wte.call(input) + wpe.call(positions);
        foreach (var block in h) hidden = block.call(hidden);
        return functional.linear(ln_f.call(hidden), wte.weight!).MoveToOuterDisposeScope();
    }

    // libtorch's embedding reports a bad index as a native error deep in the call; the checks here name the problem first.
    private void ValidateTokens(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dtype != ScalarType.Int64)
            throw new ArgumentException($"Gpt reads int64 token ids; got {input.dtype} values.", nameof(input));
        if (input.dim() != 2)
            throw new ArgumentException($"Gpt reads tokens of shape [batch, length]; got [{string.Join(", ", input.shape)}].", nameof(input));
        var length = input.shape[1];
        if (length < 1 || length > ContextLength)
            throw new ArgumentException($"Gpt reads windows of 1 to {ContextLength} tokens (its learned positions); got {length}.", nameof(input));
        if (input.numel() == 0) return;
        using var smallest = input.min();
        using var largest = input.max();
        var (low, high) = (smallest.item<long>(), largest.item<long>());
        if (low < 0 || high >= Vocabulary)
            throw new ArgumentException($"Gpt's vocabulary is 0 to {Vocabulary - 1}; the tokens span {low} to {high}.", nameof(input));
    }
}

/// <summary>One pre-LayerNorm transformer block: x + attn(ln_1(x)), then + mlp(ln_2(x)).</summary>
internal sealed class GptBlock : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> ln_1;
    private readonly GptAttention attn;
    private readonly Module<Tensor, Tensor> ln_2;
    private readonly GptMlp mlp;

    public GptBlock(int headCount, int width, int layerCount, GptActivation activation) : base(nameof(GptBlock))
    {
        ln_1 = LayerNorm(width, Gpt.LayerNormEpsilon);
        attn = new GptAttention(headCount, width, layerCount);
        ln_2 = LayerNorm(width, Gpt.LayerNormEpsilon);
        mlp = new GptMlp(width, layerCount, activation);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var hidden = input + attn.call(ln_1.call(input));
        return (hidden + mlp.call(ln_2.call(hidden))).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Causal multi-head self-attention written out as softmax(QKᵀ/√d + mask)·V. libtorch's fused
/// scaled_dot_product_attention has no double backward on CPU (pytorch/pytorch#116350); every op
/// here has one, so Hessian-vector products reach through attention.
/// </summary>
internal sealed class GptAttention : Module<Tensor, Tensor>
{
    private readonly int headCount;

    /// <summary>Queries, keys and values of every head at once: [C, 3C].</summary>
    private readonly GptConv1D c_attn;

    private readonly GptConv1D c_proj;

    public GptAttention(int headCount, int width, int layerCount) : base(nameof(GptAttention))
    {
        this.headCount = headCount;
        c_attn = new GptConv1D(width, 3 * width, Gpt.InitializerRange);
        c_proj = new GptConv1D(width, width, GptConv1D.ResidualStd(layerCount));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var (batch, length, width) = (input.shape[0], input.shape[1], input.shape[2]);
        var headWidth = width / headCount;
        var parts = c_attn.call(input).split(width, dim: 2);
        Tensor Heads(Tensor part) => part.view(batch, length, headCount, headWidth).transpose(1, 2);
        var (query, key, value) = (Heads(parts[0]), Heads(parts[1]), Heads(parts[2]));
        // Divided, not multiplied by 1/√d, as GPT-2 does: the scores then agree with PyTorch's to the last bit.
        using var scale = Math.Sqrt(headWidth).ToScalar();
        var scores = matmul(query, key.transpose(-1, -2)).div(scale);
        var future = ones(length, length, ScalarType.Bool, input.device).tril().logical_not();
        using var minusInfinity = double.NegativeInfinity.ToScalar();
        var weights = scores.masked_fill(future, minusInfinity).softmax(-1);
        var mixed = matmul(weights, value).transpose(1, 2).contiguous().view(batch, length, width);
        return c_proj.call(mixed).MoveToOuterDisposeScope();
    }
}

/// <summary>The block's MLP: c_proj(gelu(c_fc(x))) with a 4× wider hidden layer, gelu being gelu_new or the exact erf GELU.</summary>
internal sealed class GptMlp : Module<Tensor, Tensor>
{
    private readonly GptConv1D c_fc;
    private readonly GptConv1D c_proj;
    private readonly GptActivation activation;

    public GptMlp(int width, int layerCount, GptActivation activation) : base(nameof(GptMlp))
    {
        this.activation = activation;
        c_fc = new GptConv1D(width, 4 * width, Gpt.InitializerRange);
        c_proj = new GptConv1D(4 * width, width, GptConv1D.ResidualStd(layerCount));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var hidden = c_fc.call(input);
        // libtorch's gelu without approximation is torch's nn.GELU(), as nanoGPT applies it.
        var activated = activation == GptActivation.Gelu ? functional.gelu(hidden) : GeluNew(hidden);
        return c_proj.call(activated).MoveToOuterDisposeScope();
    }

    // Rooted for the process: TorchSharp passes a Scalar's handle to native code without keeping the
    // Scalar alive, so a temporary one can be finalized during the call (seen as a libtorch assertion
    // in Scalar::equal under GC pressure). These run on every forward and backward of every block.
    private static readonly Scalar Half = 0.5.ToScalar();
    private static readonly Scalar One = 1.0.ToScalar();
    private static readonly Scalar TanhScale = Math.Sqrt(2.0 / Math.PI).ToScalar();
    private static readonly Scalar CubicCoefficient = 0.044715.ToScalar();
    private static readonly Scalar Three = 3.0.ToScalar();

    /// <summary>GPT-2's tanh approximation of GELU; the exact erf form differs by up to ~5e-4 and would not reproduce GPT-2's outputs.</summary>
    private static Tensor GeluNew(Tensor x) =>
        x.mul(Half).mul(tanh(x.add(x.pow(Three).mul(CubicCoefficient)).mul(TanhScale)).add(One));
}

/// <summary>GPT-2's Conv1D: an affine map whose weight is stored [in, out], y = x·W + b (computed as addmm).</summary>
internal sealed class GptConv1D : Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;

    public GptConv1D(long inputs, long outputs, double std) : base(nameof(GptConv1D))
    {
        weight = new Parameter(empty(inputs, outputs));
        using (no_grad()) init.normal_(weight, 0, std);
        bias = new Parameter(zeros(outputs));
        RegisterComponents();
    }

    /// <summary>
    /// GPT-2 scales the init of the layers that write into the residual stream (both c_proj) by
    /// 1/√(2·n_layer), so the stream's variance does not grow with depth.
    /// </summary>
    public static double ResidualStd(int layerCount) => Gpt.InitializerRange / Math.Sqrt(2.0 * layerCount);

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var shape = input.shape.ToArray();
        shape[^1] = weight.shape[1];
        return addmm(bias, input.reshape(-1, input.shape[^1]), weight, beta: 1, alpha: 1).view(shape).MoveToOuterDisposeScope();
    }
}
