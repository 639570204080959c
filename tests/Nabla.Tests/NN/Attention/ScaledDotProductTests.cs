using Nabla.Tests.Support;
using static Nabla.Tests.NN.Attention.AttentionReference;
using AttentionFunctions = Nabla.NN.Attention; // inside this namespace "Attention" names the test namespace

namespace Nabla.Tests.NN.Attention;

/// <summary>Attention.ScaledDotProduct, MaskedSoftmax and CausalMask against <see cref="AttentionReference.Attend"/>.</summary>
public class ScaledDotProductTests
{
    public static TheoryData<string, int, int, bool, bool> Rows() => new()
    {
        // label, L, S, causal, explicit mask
        { "plain", 3, 4, false, false },
        { "causal square", 4, 4, true, false },
        { "causal L < S (top-left aligned)", 3, 5, true, false },
        { "mask", 4, 3, false, true },
        { "mask and causal", 4, 4, true, true },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Matches_softmax_of_scaled_scores_times_values(string label, int l, int s, bool causal, bool withMask)
    {
        var gen = new Generator(1);
        const int batch = 2, heads = 3, d = 4, dv = 5;
        var q = Tensor.Randn([batch, heads, l, d], gen);
        var k = Tensor.Randn([batch, heads, s, d], gen);
        var v = Tensor.Randn([batch, heads, s, dv], gen);
        // A mask [batch, 1, L, S] broadcast over heads; key 0 stays open so no query loses every key.
        var bits = Tensor.Bernoulli(0.5f, [batch, 1, l, s], gen).ToArray();
        for (var i = 0; i < bits.Length; i += s) bits[i] = 0f;
        var mask = withMask ? Tensor.FromArray(bits, batch, 1, l, s) : null;

        var (output, weights) = AttentionFunctions.ScaledDotProductWithWeights(q, k, v, mask, causal);
        Assert.True(output.ValueEquals(AttentionFunctions.ScaledDotProduct(q, k, v, mask, causal)));

        var (qa, ka, va) = (q.ToArray(), k.ToArray(), v.ToArray());
        var expectedOut = new List<double>();
        var expectedWeights = new List<double>();
        for (var b = 0; b < batch; b++)
        for (var h = 0; h < heads; h++)
        {
            double[][] Rows(float[] a, int len, int width) =>
                Enumerable.Range(0, len).Select(i => a.Skip(((b * heads + h) * len + i) * width).Take(width).Select(x => (double)x).ToArray()).ToArray();
            var bb = b;
            var (o, w) = Attend(Rows(qa, l, d), Rows(ka, s, d), Rows(va, s, dv),
                (i, j) => (causal && j > i) || (withMask && bits[(bb * l + i) * s + j] != 0f));
            expectedOut.AddRange(o.SelectMany(r => r));
            expectedWeights.AddRange(w.SelectMany(r => r));
        }
        Check.Close(new NdArray([.. expectedOut], [batch, heads, l, dv]), output, rtol: 1e-4, atol: 1e-5, context: label);
        Check.Close(new NdArray([.. expectedWeights], [batch, heads, l, s]), weights, rtol: 1e-4, atol: 1e-6, context: label);
    }

    [Fact]
    public void Causal_mask_blocks_later_keys()
    {
        Check.Close(new float[] { 0, 1, 1, 1, 0, 0, 1, 1 }, AttentionFunctions.CausalMask(2, 4));
        Check.Close(new float[] { 0, 1, 0, 0 }, AttentionFunctions.CausalMask(2));
    }

    [Fact]
    public void Masked_softmax_without_mask_is_softmax_and_fully_masked_rows_are_zero()
    {
        var scores = Tensor.Randn([3, 4], new Generator(2)) * 30f; // large scores: the maximum must be subtracted
        var plain = AttentionFunctions.MaskedSoftmax(scores, null);
        var x = scores.ToArray();
        var expected = new double[12];
        for (var r = 0; r < 3; r++)
        {
            var row = x.Skip(r * 4).Take(4).Select(v => (double)v).ToArray();
            var max = row.Max();
            var sum = row.Sum(v => Math.Exp(v - max));
            for (var c = 0; c < 4; c++) expected[r * 4 + c] = Math.Exp(row[c] - max) / sum;
        }
        Check.Close(new NdArray(expected, [3, 4]), plain, rtol: 1e-5, atol: 1e-7);

        var mask = Tensor.FromArray([1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0], 3, 4);
        var masked = AttentionFunctions.MaskedSoftmax(scores, mask).ToArray();
        Assert.Equal([0f, 0f, 0f, 0f], masked[..4]);
        Assert.Equal(0f, masked[5]);
        Assert.Equal(1f, masked[4] + masked[6], 5);
        Assert.Equal(1f, masked[8..].Sum(), 5);
    }

    [Fact]
    public void Gradients_match_finite_differences_including_a_fully_masked_row()
    {
        var gen = new Generator(3);
        var mask = Tensor.FromArray([0, 1, 0, 1, 1, 1, 0, 0, 0], 3, 3); // query 1 sees nothing
        Check.Gradients(xs => AttentionFunctions.ScaledDotProduct(xs[0], xs[1], xs[2], mask, causal: false),
            [Tensor.Randn([2, 3, 4], gen), Tensor.Randn([2, 3, 4], gen), Tensor.Randn([2, 3, 2], gen)], "masked");
        Check.Gradients(xs => AttentionFunctions.ScaledDotProduct(xs[0], xs[1], xs[2], causal: true),
            [Tensor.Randn([3, 4], gen), Tensor.Randn([3, 4], gen), Tensor.Randn([3, 2], gen)], "causal");
    }

    [Fact]
    public void Dropout_zeroes_and_rescales_weights()
    {
        var gen = new Generator(4);
        var q = Tensor.Randn([8, 4], gen);
        var (_, weights) = AttentionFunctions.ScaledDotProductWithWeights(q, q, q, dropout: 0.5f, generator: new Generator(5));
        var (_, clean) = AttentionFunctions.ScaledDotProductWithWeights(q, q, q);
        var w = weights.ToArray();
        var c = clean.ToArray();
        Assert.Contains(0f, w);
        for (var i = 0; i < w.Length; i++) Assert.True(w[i] == 0f || Math.Abs(w[i] - 2 * c[i]) < 1e-5, $"weight {i}: {w[i]} is neither dropped nor 2·{c[i]}");
    }

    public static readonly TheoryData<string, Action, string> BadRows = new()
    {
        { "rank", () => AttentionFunctions.ScaledDotProduct(Tensor.Zeros(4), Tensor.Zeros(3, 4), Tensor.Zeros(3, 4)), "Attention: query, key and value need at least 2 axes" },
        { "width", () => AttentionFunctions.ScaledDotProduct(Tensor.Zeros(2, 4), Tensor.Zeros(3, 5), Tensor.Zeros(3, 4)), "Attention: query [2, 4] and key [3, 5] must have the same last axis" },
        { "positions", () => AttentionFunctions.ScaledDotProduct(Tensor.Zeros(2, 4), Tensor.Zeros(3, 4), Tensor.Zeros(2, 4)), "Attention: key [3, 4] and value [2, 4] must have the same number of positions" },
        { "mask", () => AttentionFunctions.ScaledDotProduct(Tensor.Zeros(2, 4), Tensor.Zeros(3, 4), Tensor.Zeros(3, 4), Tensor.Zeros(3, 2)), "Attention: mask [3, 2] must broadcast to the scores [..., L, S] = [2, 3]" },
    };

    [Theory]
    [MemberData(nameof(BadRows))]
    public void Bad_inputs_fail_with_clear_messages(string label, Action act, string message)
    {
        var e = Assert.ThrowsAny<ArgumentException>(act);
        Assert.True(e.Message.Contains(message, StringComparison.Ordinal), $"{label}: '{e.Message}' lacks '{message}'");
    }
}
