using System.Globalization;
using Nabla.NN;
using static Nabla.Onnx.Export.GraphBuilder;

namespace Nabla.Onnx.Export;

/// <summary>
/// Attention layers as they run with one input (self-attention, no masks: what Forward(input) computes).
/// Every reshape copies the batch and sequence axes with 0, so both stay dynamic without Shape arithmetic.
/// </summary>
internal sealed partial class Exporter
{
    /// <summary>Refuses an unbatched sample: the graph needs the batch axis the layer's layout names.</summary>
    private void CheckSequenceBatch(Module layer, bool batchFirst)
    {
        if (_sample.Rank != 3)
        {
            throw new NotSupportedException($"Onnx.Export: {layer.GetType().Name} is exported for batched input {(batchFirst ? "[N, T, E]" : "[T, N, E]")}; " +
                $"the sample is {_sample.Shape} (unbatched [T, E] has no batch axis to keep dynamic).");
        }
    }

    /// <summary>
    /// Self-attention on [T, N, E] (or [N, T, E] with batchFirst): x [N, T, E] · in_proj_weightᵀ + in_proj_bias -> [N, T, 3E],
    /// Reshape [N, T, 3, H, d], Transpose [3, N, H, T, d], Gather q, k, v [N, H, T, d]; softmax((q / √d)·kᵀ)·v [N, H, T, d];
    /// Transpose [N, T, H, d], Reshape [N, T, E], out_proj.
    /// </summary>
    private string MultiHeadAttention(MultiHeadAttention m, string x, string prefix)
    {
        CheckSequenceBatch(m, m.BatchFirst);
        // Forward(input) passes the same tensor as query, key and value, which needs kdim = vdim = E and so the packed weight.
        var packed = m.InProjWeight ?? throw new NotSupportedException(
            $"Onnx.Export: MultiHeadAttention with kdim {m.KDim} / vdim {m.VDim} ≠ embedDim {m.EmbedDim} cannot run on one input, so it has no single-input graph.");
        if (!m.BatchFirst) x = _g.Node("Transpose", [x], Ints("perm", 1, 0, 2));                              // [N, T, E]
        var qkv = Project(x, packed, m.InProjBias, prefix + "in_proj_weight", prefix + "in_proj_bias");          // [N, T, 3E]
        var split = _g.Node("Reshape", [qkv, _g.Ints([0, 0, 3, m.NumHeads, m.HeadDim])]);                     // [N, T, 3, H, d]
        var heads = _g.Node("Transpose", [split], Ints("perm", 2, 0, 3, 1, 4));                                // [3, N, H, T, d]
        string Pick(long which) => _g.Node("Gather", [heads, _g.Ints([which], scalar: true)], Int("axis", 0)); // [N, H, T, d]
        var (q, k, v) = (Pick(0), Pick(1), Pick(2));

        // The same order as Attention.ScaledDotProduct: the query is scaled before the product.
        var scaled = _g.Node("Mul", [q, _g.Scalar(1f / MathF.Sqrt(m.HeadDim))]);
        var scores = _g.Node("MatMul", [scaled, _g.Node("Transpose", [k], Ints("perm", 0, 1, 3, 2))]);         // [N, H, T, T]
        var weights = _g.Node("Softmax", [scores], Int("axis", -1));
        var attended = _g.Node("MatMul", [weights, v]);                                                        // [N, H, T, d]
        var merged = _g.Node("Reshape", [_g.Node("Transpose", [attended], Ints("perm", 0, 2, 1, 3)), _g.Ints([0, 0, m.EmbedDim])]); // [N, T, E]
        var y = Project(merged, m.OutProj.Weight, m.OutProj.Bias, prefix + "out_proj.weight", prefix + "out_proj.bias");
        return m.BatchFirst ? y : _g.Node("Transpose", [y], Ints("perm", 1, 0, 2));                            // back to [T, N, E]
    }

    /// <summary>
    /// Post-norm: x = norm1(x + SA(x)); x = norm2(x + FF(x)). Pre-norm: x = x + SA(norm1(x)); x = x + FF(norm2(x)).
    /// FF(x) = linear2(act(linear1(x))) with act Relu or GELU (erf form); dropout is the identity at inference.
    /// </summary>
    private string TransformerEncoderLayer(TransformerEncoderLayer l, string x, string prefix)
    {
        CheckSequenceBatch(l, l.SelfAttn.BatchFirst);
        string Attend(string h) => MultiHeadAttention(l.SelfAttn, h, prefix + "self_attn.");
        string FeedForward(string h)
        {
            var hidden = Project(h, l.Linear1.Weight, l.Linear1.Bias, prefix + "linear1.weight", prefix + "linear1.bias");
            hidden = l.Activation == TransformerActivation.Gelu ? GeluErf(hidden) : _g.Node("Relu", [hidden]);
            return Project(hidden, l.Linear2.Weight, l.Linear2.Bias, prefix + "linear2.weight", prefix + "linear2.bias");
        }
        string Norm1(string h) => LayerNorm(l.Norm1, h, prefix + "norm1.");
        string Norm2(string h) => LayerNorm(l.Norm2, h, prefix + "norm2.");

        if (l.NormFirst)
        {
            x = _g.Node("Add", [x, Attend(Norm1(x))]);
            return _g.Node("Add", [x, FeedForward(Norm2(x))]);
        }
        x = Norm1(_g.Node("Add", [x, Attend(x)]));
        return Norm2(_g.Node("Add", [x, FeedForward(x)]));
    }

    /// <summary>layers.0, layers.1, ... in turn, then the optional final LayerNormalization.</summary>
    private string TransformerEncoder(TransformerEncoder e, string x, string prefix)
    {
        for (var i = 0; i < e.NumLayers; i++)
        {
            x = TransformerEncoderLayer(e[i], x, $"{prefix}layers.{i.ToString(CultureInfo.InvariantCulture)}.");
        }
        return e.Norm is null ? x : LayerNorm(e.Norm, x, prefix + "norm.");
    }

    /// <summary>x [..., in] · Wᵀ + b -> [..., out] as MatMul(x, Transpose(W)) (+ Add): the weight keeps its [out, in] layout and name.</summary>
    private string Project(string x, Tensor weight, Tensor? bias, string weightName, string biasName)
    {
        var y = _g.Node("MatMul", [x, _g.Node("Transpose", [_g.Initializer(weightName, weight)], Ints("perm", 1, 0))]);
        return bias is null ? y : _g.Node("Add", [y, _g.Initializer(biasName, bias)]);
    }
}
