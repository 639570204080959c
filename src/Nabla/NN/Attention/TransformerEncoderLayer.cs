namespace Nabla.NN;

/// <summary>The activation of a transformer's feed-forward block.</summary>
public enum TransformerActivation { Relu, Gelu }

/// <summary>
/// One transformer encoder block (Vaswani et al., 2017): self-attention then a position-wise feed-forward
/// network, each wrapped in dropout, a residual connection and layer normalisation.
/// Post-norm (default): x = norm1(x + SA(x)); x = norm2(x + FF(x)).
/// Pre-norm (normFirst, Xiong et al., 2020): x = x + SA(norm1(x)); x = x + FF(norm2(x)).
/// SA(x) = dropout1(self_attn(x, x, x)), FF(x) = dropout2(linear2(dropout(act(linear1(x))))).
/// Input [T, N, dModel] (or [N, T, dModel] with batchFirst, or unbatched [T, dModel]) -> output of the same shape.
/// Children carry PyTorch's names: self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2.
/// </summary>
public sealed class TransformerEncoderLayer : Module
{
    public TransformerEncoderLayer(int dModel, int nHead, int dimFeedforward = 2048, float dropout = 0.1f,
        TransformerActivation activation = TransformerActivation.Relu, float layerNormEps = 1e-5f, bool batchFirst = false, bool normFirst = false,
        bool bias = true, Generator? generator = null)
    {
        if (dimFeedforward <= 0) throw new ArgumentException($"TransformerEncoderLayer: dimFeedforward must be positive; got {dimFeedforward}.");
        if (!Enum.IsDefined(activation)) throw new ArgumentException($"TransformerEncoderLayer: unknown activation {activation}; expected Relu or Gelu.");
        Activation = activation;
        NormFirst = normFirst;
        // Registration order is PyTorch's, so state dicts list keys in the same order.
        SelfAttn = Add("self_attn", new MultiHeadAttention(dModel, nHead, bias, dropout, batchFirst: batchFirst, generator: generator));
        Linear1 = Add("linear1", new Linear(dModel, dimFeedforward, bias, generator: generator));
        FeedForwardDropout = Add("dropout", new Dropout(dropout, generator));
        Linear2 = Add("linear2", new Linear(dimFeedforward, dModel, bias, generator: generator));
        Norm1 = Add("norm1", new LayerNorm(dModel, layerNormEps, bias: bias));
        Norm2 = Add("norm2", new LayerNorm(dModel, layerNormEps, bias: bias));
        Dropout1 = Add("dropout1", new Dropout(dropout, generator));
        Dropout2 = Add("dropout2", new Dropout(dropout, generator));
    }

    public MultiHeadAttention SelfAttn { get; }
    public Linear Linear1 { get; }
    public Dropout FeedForwardDropout { get; }
    public Linear Linear2 { get; }
    public LayerNorm Norm1 { get; }
    public LayerNorm Norm2 { get; }
    public Dropout Dropout1 { get; }
    public Dropout Dropout2 { get; }
    public TransformerActivation Activation { get; }
    public bool NormFirst { get; }

    /// <summary>Runs the block with the masks of <see cref="MultiHeadAttention.Forward(Tensor, Tensor, Tensor, Tensor?, Tensor?, bool, bool)"/> (non-zero = not allowed).</summary>
    /// <param name="src">[T, N, dModel] ([N, T, dModel] with batchFirst, [T, dModel] unbatched).</param>
    /// <param name="srcMask">[T, T] or [N·heads, T, T]; e.g. <see cref="Attention.CausalMask"/> for a causal encoder.</param>
    /// <param name="srcKeyPaddingMask">[N, T]; non-zero marks padding positions.</param>
    public Tensor Forward(Tensor src, Tensor? srcMask, Tensor? srcKeyPaddingMask = null)
    {
        ArgumentNullException.ThrowIfNull(src);
        var x = src;
        if (NormFirst)
        {
            x += SelfAttentionBlock(Norm1.Forward(x), srcMask, srcKeyPaddingMask);
            x += FeedForwardBlock(Norm2.Forward(x));
        }
        else
        {
            x = Norm1.Forward(x + SelfAttentionBlock(x, srcMask, srcKeyPaddingMask));
            x = Norm2.Forward(x + FeedForwardBlock(x));
        }
        return x;
    }

    protected override Tensor Compute(Tensor input) => Forward(input, null, null);

    public override string Describe() =>
        $"TransformerEncoderLayer(dModel={SelfAttn.EmbedDim}, heads={SelfAttn.NumHeads}, ff={Linear1.OutFeatures}, {Activation.ToString().ToLowerInvariant()}, {(NormFirst ? "pre-norm" : "post-norm")})";

    private Tensor SelfAttentionBlock(Tensor x, Tensor? mask, Tensor? keyPaddingMask) =>
        Dropout1.Forward(SelfAttn.Forward(x, x, x, mask, keyPaddingMask, needWeights: false).Output);

    private Tensor FeedForwardBlock(Tensor x)
    {
        var hidden = Linear1.Forward(x); // [..., dimFeedforward]
        hidden = Activation == TransformerActivation.Gelu ? Functional.Gelu(hidden) : hidden.Relu();
        return Dropout2.Forward(Linear2.Forward(FeedForwardDropout.Forward(hidden)));
    }
}
