using Nabla.NN;
using Nabla.Tests.Support;
using static Nabla.Tests.NN.Attention.AttentionReference;

namespace Nabla.Tests.NN.Attention;

/// <summary>TransformerEncoderLayer and TransformerEncoder against the block written out plainly (<see cref="AttentionReference.EncoderLayer"/>), in eval mode.</summary>
public class TransformerEncoderLayerTests
{
    private const int D = 6, T = 4, N = 2, Ff = 10;

    public static TheoryData<string, bool, bool, bool, bool> Configs() => new()
    {
        // label, normFirst, gelu, batchFirst, masks
        { "post-norm relu", false, false, false, false },
        { "pre-norm relu", true, false, true, false },
        { "post-norm gelu with masks", false, true, true, true },
        { "pre-norm gelu with masks", true, true, false, true },
    };

    private static TransformerEncoderLayer Make(bool normFirst, bool gelu, bool batchFirst, ulong seed = 1)
    {
        var layer = new TransformerEncoderLayer(D, 2, Ff, dropout: 0.1f, gelu ? TransformerActivation.Gelu : TransformerActivation.Relu,
            layerNormEps: 1e-5f, batchFirst: batchFirst, normFirst: normFirst, generator: new Generator(seed));
        MultiHeadAttentionTests.RandomiseBiases(layer);
        using (Autograd.NoGrad())
        {
            layer.Norm1.Weight!.CopyFrom(Tensor.Rand([D], new Generator(seed + 100)) + 0.5f);
            layer.Norm2.Weight!.CopyFrom(Tensor.Rand([D], new Generator(seed + 200)) + 0.5f);
            layer.Linear1.Weight.MulInPlace(3f); // pre-activations of a few units, where relu and gelu variants differ most
        }
        return layer;
    }

    private static (Tensor? Mask, Tensor? Padding, Func<int, int, int, bool> Blocked) Masks(bool on)
    {
        if (!on) return (null, null, (_, _, _) => false);
        var causal = Nabla.NN.Attention.CausalMask(T);
        var padding = Tensor.FromArray([0, 0, 0, 0, 0, 0, 0, 1], N, T); // batch row 1: last position is padding
        return (causal, padding, (n, i, j) => j > i || (n == 1 && j == T - 1));
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Eval_output_matches_the_plain_composition(string label, bool normFirst, bool gelu, bool batchFirst, bool masks)
    {
        var layer = Make(normFirst, gelu, batchFirst);
        layer.Eval();
        var x = Tensor.Randn(batchFirst ? [N, T, D] : [T, N, D], new Generator(2));
        var (mask, padding, blocked) = Masks(masks);
        var p = Parameters(layer);
        var rows = Rows(x, batchFirst);
        var expected = rows.Select((r, n) => EncoderLayer(p, "", 2, gelu, normFirst, 1e-5, r, (_, i, j) => blocked(n, i, j))).ToArray();
        Check.Close(ToNd(expected, batchFirst), layer.Forward(x, mask, padding), rtol: 2e-5, atol: 2e-5, context: label);
        if (!masks) Check.Close(ToNd(expected, batchFirst), layer.Forward(x), rtol: 2e-5, atol: 2e-5, context: label + " (Module.Forward)");
    }

    [Fact]
    public void Dropout_acts_in_training_only()
    {
        var layer = Make(normFirst: false, gelu: false, batchFirst: false);
        var x = Tensor.Randn([T, N, D], new Generator(3));
        var trained = layer.Forward(x);
        layer.Eval();
        var evaluated = layer.Forward(x);
        Assert.False(trained.AllClose(evaluated, 1e-4f, 1e-5f));
        Assert.True(evaluated.ValueEquals(layer.Forward(x)));
    }

    [Fact]
    public void Gradients_match_finite_differences()
    {
        var layer = new TransformerEncoderLayer(4, 2, 5, dropout: 0f, TransformerActivation.Gelu, normFirst: true, generator: new Generator(4));
        MultiHeadAttentionTests.RandomiseBiases(layer);
        var mask = Nabla.NN.Attention.CausalMask(3);
        Check.Gradients(xs => layer.Forward(xs[0], mask), [Tensor.Randn([3, 2, 4], new Generator(5))], "pre-norm layer input");
        var x = Tensor.Randn([3, 2, 4], new Generator(6));
        ParameterGradients.Check(layer, () => layer.Forward(x, mask),
            ["self_attn.in_proj_weight", "self_attn.out_proj.bias", "linear1.weight", "linear2.bias", "norm1.weight", "norm2.bias"], maxElements: 6);
    }

    [Fact]
    public void Parameter_and_module_names_are_PyTorchs()
    {
        var layer = new TransformerEncoderLayer(8, 2, 16);
        Assert.Equal(
            [
                "self_attn.in_proj_weight [24, 8]", "self_attn.in_proj_bias [24]", "self_attn.out_proj.weight [8, 8]", "self_attn.out_proj.bias [8]",
                "linear1.weight [16, 8]", "linear1.bias [16]", "linear2.weight [8, 16]", "linear2.bias [8]",
                "norm1.weight [8]", "norm1.bias [8]", "norm2.weight [8]", "norm2.bias [8]",
            ],
            layer.NamedParameters().Select(p => $"{p.Name} {p.Parameter.Shape}"));
        Assert.Equal(["", "self_attn", "self_attn.out_proj", "linear1", "dropout", "linear2", "norm1", "norm2", "dropout1", "dropout2"],
            layer.NamedModules().Select(m => m.Name));
    }

    [Fact]
    public void State_dict_round_trip_and_one_sgd_step()
    {
        var a = Make(normFirst: true, gelu: true, batchFirst: true, seed: 1).Eval();
        var b = Make(normFirst: true, gelu: true, batchFirst: true, seed: 2).Eval();
        var x = Tensor.Randn([N, T, D], new Generator(7));
        Assert.False(a.Forward(x).AllClose(b.Forward(x)));
        b.LoadStateDict(a.StateDict());
        Assert.True(a.Forward(x).ValueEquals(b.Forward(x)));

        var target = Tensor.Randn([N, T, D], new Generator(8));
        Tensor Loss() => (a.Forward(x) - target).Pow(2f).Mean();
        var before = Loss();
        before.Backward();
        using (Autograd.NoGrad())
        {
            foreach (var p in a.Parameters()) p.SubInPlace(p.Grad! * 0.05f);
        }
        Assert.True(Loss().Item() < before.Item());
    }

    [Fact]
    public void Encoder_stacks_independent_layers_then_the_final_norm()
    {
        var seed = 10UL;
        var encoder = new TransformerEncoder(() => Make(normFirst: true, gelu: false, batchFirst: true, seed: seed++), numLayers: 2, norm: new LayerNorm(D));
        encoder.Eval();
        MultiHeadAttentionTests.RandomiseBiases(encoder.Norm!);
        Assert.Equal(2, encoder.NumLayers);
        Assert.False(encoder[0].Linear1.Weight.ValueEquals(encoder[1].Linear1.Weight));
        Assert.Equal(
            ["layers.0.self_attn.in_proj_weight", "layers.0.self_attn.in_proj_bias", "layers.0.self_attn.out_proj.weight"],
            encoder.NamedParameters().Select(p => p.Name).Take(3));
        Assert.Equal(["layers.1.norm2.bias", "norm.weight", "norm.bias"], encoder.NamedParameters().Select(p => p.Name).TakeLast(3));

        var x = Tensor.Randn([N, T, D], new Generator(9));
        var (mask, padding, blocked) = Masks(true);
        var p = Parameters(encoder);
        var expected = Rows(x, true).Select((r, n) =>
        {
            for (var k = 0; k < 2; k++) r = EncoderLayer(p, $"layers.{k}.", 2, false, true, 1e-5, r, (_, i, j) => blocked(n, i, j));
            return r.Select(row => LayerNorm(row, p["norm.weight"], p["norm.bias"], 1e-5)).ToArray();
        }).ToArray();
        Check.Close(ToNd(expected, true), encoder.Forward(x, mask, padding), rtol: 1e-4, atol: 1e-4, context: "encoder");

        var e = Assert.Throws<ArgumentException>(() =>
        {
            var shared = new TransformerEncoderLayer(D, 2, Ff);
            return new TransformerEncoder(() => shared, 2);
        });
        Assert.Contains("TransformerEncoder: the layer factory returned the same layer twice", e.Message, StringComparison.Ordinal);
    }
}
