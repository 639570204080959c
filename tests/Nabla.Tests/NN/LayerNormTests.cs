using Nabla.NN;
using Nabla.Tests.NN.Attention;
using Nabla.Tests.Support;

namespace Nabla.Tests.NN;

/// <summary>LayerNorm against a reference loop over the normalised axes, finite differences, and its parameters.</summary>
public class LayerNormTests
{
    public static TheoryData<string, int[], int[], bool> Rows() => new()
    {
        // label, input shape, normalized shape, affine
        { "last axis", [2, 3, 4], [4], true },
        { "last two axes", [2, 3, 4], [3, 4], true },
        { "no affine", [5, 6], [6], false },
        { "whole input", [3, 2], [3, 2], true },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Matches_a_reference_loop(string label, int[] shape, int[] normalized, bool affine)
    {
        var norm = new LayerNorm(normalized, eps: 1e-3f, elementwiseAffine: affine);
        MultiHeadAttentionTests.RandomiseBiases(norm);
        if (affine)
        {
            using (Autograd.NoGrad()) norm.Weight!.CopyFrom(Tensor.Rand(normalized, new Generator(1)) + 0.5f);
        }
        var x = Tensor.Randn(shape, new Generator(2)) * 3f + 1f;
        var group = normalized.Aggregate(1, (a, b) => a * b);
        var data = x.ToArray();
        var (w, b) = (norm.Weight?.ToArray(), norm.Bias?.ToArray());
        var expected = new double[data.Length];
        for (var start = 0; start < data.Length; start += group)
        {
            var row = AttentionReference.LayerNorm(data[start..(start + group)].Select(v => (double)v).ToArray(), w, b, 1e-3);
            row.CopyTo(expected, start);
        }
        Check.Close(new NdArray(expected, shape), norm.Forward(x), rtol: 1e-4, atol: 1e-5, context: label);
    }

    [Fact]
    public void Gradients_of_input_weight_and_bias_match_finite_differences()
    {
        var norm = new LayerNorm([2, 3]);
        MultiHeadAttentionTests.RandomiseBiases(norm);
        Check.Gradients(xs => norm.Forward(xs[0]), [Tensor.Randn([2, 2, 3], new Generator(3))], "LayerNorm input");
        var x = Tensor.Randn([4, 2, 3], new Generator(4));
        ParameterGradients.Check(norm, () => norm.Forward(x), ["weight", "bias"]);
    }

    [Fact]
    public void Parameters_are_named_like_PyTorchs_and_start_at_one_and_zero()
    {
        var norm = new LayerNorm([3, 4]);
        Assert.Equal(["weight [3, 4]", "bias [3, 4]"], norm.NamedParameters().Select(p => $"{p.Name} {p.Parameter.Shape}"));
        Assert.All(norm.Weight!.ToArray(), v => Assert.Equal(1f, v));
        Assert.All(norm.Bias!.ToArray(), v => Assert.Equal(0f, v));
        Assert.Empty(new LayerNorm(4, elementwiseAffine: false).NamedParameters());
        Assert.Equal(["weight [4]"], new LayerNorm(4, bias: false).NamedParameters().Select(p => $"{p.Name} {p.Parameter.Shape}"));
    }

    [Fact]
    public void Bad_shapes_fail_with_clear_messages()
    {
        var e = Assert.Throws<ArgumentException>(() => new LayerNorm([3, 4]).Forward(Tensor.Zeros(2, 4, 3)));
        Assert.Contains("LayerNorm: input [2, 4, 3] must end in the normalized shape [3, 4]", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => new LayerNorm([0]));
        Assert.Contains("LayerNorm: normalizedShape must be a non-empty list of positive sizes; got [0]", e.Message, StringComparison.Ordinal);
    }
}
