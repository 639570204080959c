using Nabla.NN;
using Nabla.Tests.Support;
using static Nabla.Tests.NN.Attention.AttentionReference;
using AttentionFunctions = Nabla.NN.Attention; // inside this namespace "Attention" names the test namespace

namespace Nabla.Tests.NN.Attention;

/// <summary>MultiHeadAttention against <see cref="AttentionReference.MultiHead"/> over a table of configurations, plus the layer harness.</summary>
public class MultiHeadAttentionTests
{
    private const int E = 6, L = 4, N = 2;

    public static TheoryData<string, int, bool, string, bool, bool, bool, bool> Configs() => new()
    {
        // label, heads, batchFirst, attn mask, key padding, kdim/vdim and S differ, average weights, unbatched
        { "self, one head", 1, false, "none", false, false, true, false },
        { "self, two heads", 2, false, "none", false, false, true, false },
        { "batch first, per-head weights", 3, true, "none", false, false, false, false },
        { "causal float mask (0 / -inf)", 2, false, "causal", false, false, true, false },
        { "random 0/1 mask", 2, true, "random", false, false, false, false },
        { "per-head 3-D mask", 2, false, "per-head", false, false, false, false },
        { "key padding", 3, true, "none", true, false, true, false },
        { "mask and padding", 2, false, "random", true, false, false, false },
        { "cross attention kdim/vdim", 2, false, "none", false, true, true, false },
        { "cross attention with masks", 3, true, "random", true, true, false, false },
        { "unbatched", 2, false, "causal", true, false, true, true },
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void Output_and_weights_match_the_reference(string label, int heads, bool batchFirst, string maskKind, bool padding, bool cross, bool average, bool unbatched)
    {
        int kdim = cross ? 5 : E, vdim = cross ? 3 : E, s = cross ? 5 : L;
        var mha = new MultiHeadAttention(E, heads, kdim: cross ? kdim : null, vdim: cross ? vdim : null, batchFirst: batchFirst, generator: new Generator(1));
        RandomiseBiases(mha);
        var gen = new Generator(2);
        var batch = unbatched ? 1 : N;
        Tensor Sequence(int length, int features) => batchFirst ? Tensor.Randn([batch, length, features], gen) : Tensor.Randn([length, batch, features], gen);
        var query = Sequence(L, E);
        var key = cross ? Sequence(s, kdim) : query;
        var value = cross ? Sequence(s, vdim) : query;

        var (attnMask, isBlocked) = MakeMask(maskKind, heads, L, s, batch, gen);
        var paddingMask = padding ? PaddingMask(batch, s) : null;
        bool Blocked(int n, int h, int i, int j) => isBlocked(n, h, i, j) || (paddingMask is not null && paddingMask[n, j] != 0f);

        var p = Parameters(mha);
        var (qs, ks, vs) = (Rows(query, batchFirst), Rows(key, batchFirst), Rows(value, batchFirst));
        var expectedOut = new double[batch][][];
        var expectedWeights = new double[batch][][][];
        for (var n = 0; n < batch; n++)
        {
            var row = n;
            (expectedOut[n], expectedWeights[n]) = MultiHead(p, "", heads, qs[n], ks[n], vs[n], (h, i, j) => Blocked(row, h, i, j));
        }

        Tensor Squeeze(Tensor t) => unbatched ? t.Squeeze(batchFirst ? 0 : 1) : t;
        var pad = paddingMask is null ? null : unbatched ? paddingMask.Squeeze(0) : paddingMask;
        var (output, weights) = mha.Forward(Squeeze(query), cross ? Squeeze(key) : Squeeze(query), cross ? Squeeze(value) : Squeeze(query),
            attnMask, pad, needWeights: true, averageWeights: average);

        var outNd = ToNd(expectedOut, batchFirst);
        if (unbatched) outNd = new NdArray(outNd.Data, [L, E]);
        Check.Close(outNd, output, rtol: 1e-4, atol: 1e-5, context: $"{label} output");
        Check.Close(WeightsNd(expectedWeights, average, unbatched), weights!, rtol: 1e-4, atol: 1e-6, context: $"{label} weights");

        var (again, none) = mha.Forward(Squeeze(query), cross ? Squeeze(key) : Squeeze(query), cross ? Squeeze(value) : Squeeze(query), attnMask, pad, needWeights: false);
        Assert.Null(none);
        Assert.True(again.AllClose(output, 1e-6f, 1e-7f));
    }

    [Fact]
    public void Compute_is_unmasked_self_attention()
    {
        var mha = new MultiHeadAttention(E, 2, batchFirst: true, generator: new Generator(3));
        var x = Tensor.Randn([N, L, E], new Generator(4));
        var key = x.Clone(); // a different tensor object with equal values takes the unpacked path
        Assert.True(mha.Forward(x).AllClose(mha.Forward(x, key, key, needWeights: false).Output, 1e-5f, 1e-6f));
    }

    [Fact]
    public void A_query_whose_keys_are_all_masked_gets_zero_weights_not_NaN()
    {
        var mha = new MultiHeadAttention(E, 2, batchFirst: true, generator: new Generator(5));
        RandomiseBiases(mha);
        var x = Tensor.Randn([N, L, E], new Generator(6)).RequireGrad();
        var mask = Tensor.Zeros(L, L);
        using (Autograd.NoGrad()) mask.Select(0, 1).FillInPlace(1f); // query 1 may attend to nothing
        var (output, weights) = mha.Forward(x, x, x, mask);
        Assert.All(weights!.Select(1, 1).ToArray(), w => Assert.Equal(0f, w));
        // Its attention vector is zero, so its output is out_proj's bias.
        Check.Close(mha.OutProj.Bias!.ToArray(), output.Select(1, 1).Select(0, 0), context: "fully masked query");
        output.Sum().Backward();
        Assert.All(x.Grad!.ToArray(), g => Assert.True(float.IsFinite(g)));
        Assert.All(mha.Parameters(), q => Assert.True(q.Grad!.ToArray().All(float.IsFinite)));
    }

    [Fact]
    public void Gradients_of_query_key_value_and_parameters_match_finite_differences()
    {
        var mha = new MultiHeadAttention(4, 2, kdim: 3, vdim: 2, generator: new Generator(7));
        RandomiseBiases(mha);
        var gen = new Generator(8);
        var mask = Tensor.FromArray([0, 1, 0, 0, 0, 1], 2, 3);
        var padding = Tensor.FromArray([0, 0, 0, 0, 0, 1], 2, 3);
        Check.Gradients(xs => mha.Forward(xs[0], xs[1], xs[2], mask, padding).Output, [Tensor.Randn([2, 2, 4], gen), Tensor.Randn([3, 2, 3], gen), Tensor.Randn([3, 2, 2], gen)], "cross attention");
        var x = Tensor.Randn([3, 2, 4], gen);
        ParameterGradients.Check(mha, () => mha.Forward(x.Select(0, 0).Unsqueeze(0), x.Narrow(2, 1, 3), x.Narrow(2, 0, 2), null, padding).Output,
            ["q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]);

        var self = new MultiHeadAttention(4, 2, batchFirst: true, generator: new Generator(9));
        RandomiseBiases(self);
        Check.Gradients(xs =>
        {
            var (o, w) = self.Forward(xs[0], xs[0], xs[0], AttentionFunctions.CausalMask(3));
            return Tensor.Concat([o.Reshape(-1), w!.Reshape(-1)]);
        }, [Tensor.Randn([2, 3, 4], gen)], "self attention output and weights");
        var y = Tensor.Randn([2, 3, 4], gen);
        ParameterGradients.Check(self, () => self.Forward(y), ["in_proj_weight", "in_proj_bias", "out_proj.weight"]);
    }

    // ---- harness ------------------------------------------------------------------------------------------

    public static TheoryData<string, Func<Module>, string> NameRows => new()
    {
        { "packed", () => new MultiHeadAttention(8, 2), "in_proj_weight [24, 8], in_proj_bias [24], out_proj.weight [8, 8], out_proj.bias [8]" },
        { "no bias", () => new MultiHeadAttention(8, 4, bias: false), "in_proj_weight [24, 8], out_proj.weight [8, 8]" },
        {
            "kdim/vdim", () => new MultiHeadAttention(8, 2, kdim: 5, vdim: 3),
            "q_proj_weight [8, 8], k_proj_weight [8, 5], v_proj_weight [8, 3], in_proj_bias [24], out_proj.weight [8, 8], out_proj.bias [8]"
        },
    };

    [Theory]
    [MemberData(nameof(NameRows))]
    public void Parameter_names_and_shapes_are_PyTorchs(string label, Func<Module> make, string expected)
    {
        var m = make();
        Assert.True(expected == string.Join(", ", m.NamedParameters().Select(p => $"{p.Name} {p.Parameter.Shape}")), label);
        Assert.Equal(["", "out_proj"], m.NamedModules().Select(x => x.Name));
    }

    [Fact]
    public void Projections_start_xavier_uniform_and_biases_at_zero()
    {
        var mha = new MultiHeadAttention(32, 4, generator: new Generator(1));
        var w = mha.InProjWeight!.ToArray();
        var bound = Math.Sqrt(6.0 / (32 + 96)); // fan-in E, fan-out 3E: one matrix
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        Assert.InRange(w.Select(v => (double)v * v).Average(), 0.9 * bound * bound / 3, 1.1 * bound * bound / 3);
        Assert.All(mha.InProjBias!.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(mha.OutProj.Bias!.ToArray(), v => Assert.Equal(0f, v));
        Assert.True(mha.OutProj.Weight.Abs().Max().Item() > 0f);
    }

    [Fact]
    public void State_dict_round_trip_and_one_sgd_step()
    {
        var a = new MultiHeadAttention(E, 3, generator: new Generator(1));
        var b = new MultiHeadAttention(E, 3, generator: new Generator(2));
        var x = Tensor.Randn([L, N, E], new Generator(3));
        Assert.False(a.Forward(x).AllClose(b.Forward(x)));
        b.LoadStateDict(a.StateDict());
        Assert.True(a.Forward(x).ValueEquals(b.Forward(x)));

        var target = Tensor.Randn([L, N, E], new Generator(4));
        Tensor Loss() => (a.Forward(x) - target).Pow(2f).Mean();
        var before = Loss();
        before.Backward();
        using (Autograd.NoGrad())
        {
            foreach (var p in a.Parameters()) p.SubInPlace(p.Grad! * 0.1f);
        }
        Assert.True(Loss().Item() < before.Item());
    }

    [Fact]
    public void Attention_dropout_acts_in_training_only()
    {
        var mha = new MultiHeadAttention(E, 2, dropout: 0.5f, generator: new Generator(1));
        var x = Tensor.Randn([L, N, E], new Generator(2));
        var (trained, weights) = mha.Forward(x, x, x, averageWeights: false);
        Assert.Contains(0f, weights!.ToArray()); // dropped weights, as used
        mha.Eval();
        var (evaluated, evalWeights) = mha.Forward(x, x, x, averageWeights: false);
        Check.Close(Enumerable.Repeat(1f, N * 2 * L).ToArray(), evalWeights!.Sum(-1).Reshape(N, 2, L), rtol: 1e-5, atol: 1e-5);
        Assert.False(trained.AllClose(evaluated, 1e-4f, 1e-5f));
    }

    public static readonly TheoryData<string, Action, string> BadRows = new()
    {
        { "heads", () => new MultiHeadAttention(6, 4), "MultiHeadAttention: embedDim 6 must be divisible by numHeads 4" },
        { "embed", () => new MultiHeadAttention(6, 2).Forward(Tensor.Zeros(4, 2, 5)), "MultiHeadAttention: query, key and value must end in 6, 6 and 6; got [4, 2, 5], [4, 2, 5] and [4, 2, 5]" },
        { "rank", () => new MultiHeadAttention(6, 2).Forward(Tensor.Zeros(4, 2, 6), Tensor.Zeros(4, 6), Tensor.Zeros(4, 6)), "MultiHeadAttention: query, key and value must all be 3-D ([L, N, E])" },
        { "lengths", () => new MultiHeadAttention(6, 2, batchFirst: true).Forward(Tensor.Zeros(2, 4, 6), Tensor.Zeros(2, 5, 6), Tensor.Zeros(2, 3, 6)), "MultiHeadAttention: key and value must have the same length S" },
        { "mask", () => new MultiHeadAttention(6, 2).Forward(Tensor.Zeros(4, 2, 6), Tensor.Zeros(5, 2, 6), Tensor.Zeros(5, 2, 6), Tensor.Zeros(4, 4)), "MultiHeadAttention: attnMask must be [L, S] = [4, 5] or [N·heads, L, S] = [4, 4, 5] for query [4, 2, 6] and key [5, 2, 6]; got [4, 4]" },
        { "padding", () => new MultiHeadAttention(6, 2).Forward(Tensor.Zeros(4, 2, 6), Tensor.Zeros(5, 2, 6), Tensor.Zeros(5, 2, 6), null, Tensor.Zeros(5, 2)), "MultiHeadAttention: keyPaddingMask must be [2, 5] (N, S) for key [5, 2, 6]; got [5, 2]" },
    };

    [Theory]
    [MemberData(nameof(BadRows))]
    public void Bad_inputs_fail_with_clear_messages(string label, Action act, string message)
    {
        var e = Assert.ThrowsAny<ArgumentException>(act);
        Assert.True(e.Message.Contains(message, StringComparison.Ordinal), $"{label}: '{e.Message}' lacks '{message}'");
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /// <summary>Non-zero biases, so the reference checks where each bias enters (PyTorch starts them at zero).</summary>
    internal static void RandomiseBiases(Module m)
    {
        var gen = new Generator(77);
        using var _ = Autograd.NoGrad();
        foreach (var (name, p) in m.NamedParameters().Where(p => p.Name.EndsWith("bias", StringComparison.Ordinal)))
        {
            p.CopyFrom(Tensor.Randn(p.Shape.ToArray(), gen) * 0.5f);
        }
    }

    private static (Tensor? Mask, Func<int, int, int, int, bool> Blocked) MakeMask(string kind, int heads, int l, int s, int batch, Generator gen)
    {
        switch (kind)
        {
            case "none":
                return (null, (_, _, _, _) => false);
            case "causal":
            {
                var data = new float[l * s];
                for (var i = 0; i < l; i++)
                for (var j = i + 1; j < s; j++) data[i * s + j] = float.NegativeInfinity;
                return (Tensor.FromArray(data, l, s), (_, _, i, j) => j > i);
            }
            case "random":
            {
                var data = RandomBits(l * s, s, gen);
                return (Tensor.FromArray(data, l, s), (_, _, i, j) => data[i * s + j] != 0f);
            }
            case "per-head":
            {
                var data = RandomBits(batch * heads * l * s, s, gen);
                return (Tensor.FromArray(data, batch * heads, l, s), (n, h, i, j) => data[((n * heads + h) * l + i) * s + j] != 0f);
            }
            default:
                throw new ArgumentException(kind);
        }
    }

    /// <summary>0/1 values, with key 0 never blocked so every query keeps a key.</summary>
    private static float[] RandomBits(int count, int s, Generator gen)
    {
        var data = Tensor.Bernoulli(0.4f, [count], gen).ToArray();
        for (var i = 0; i < count; i += s) data[i] = 0f;
        return data;
    }

    /// <summary>[N, S]: batch row 1 has its last two keys padded.</summary>
    private static Tensor PaddingMask(int batch, int s)
    {
        var data = new float[batch * s];
        if (batch > 1) data[2 * s - 1] = data[2 * s - 2] = 1f;
        else data[s - 1] = 1f;
        return Tensor.FromArray(data, batch, s);
    }

    private static NdArray WeightsNd(double[][][][] w, bool average, bool unbatched)
    {
        int n = w.Length, h = w[0].Length, l = w[0][0].Length, s = w[0][0][0].Length;
        var data = new List<double>();
        for (var b = 0; b < n; b++)
        {
            if (average)
            {
                for (var i = 0; i < l; i++)
                for (var j = 0; j < s; j++) data.Add(Enumerable.Range(0, h).Average(k => w[b][k][i][j]));
            }
            else
            {
                for (var k = 0; k < h; k++)
                for (var i = 0; i < l; i++)
                for (var j = 0; j < s; j++) data.Add(w[b][k][i][j]);
            }
        }
        int[] shape = average ? [n, l, s] : [n, h, l, s];
        return new NdArray([.. data], unbatched ? shape[1..] : shape);
    }
}
