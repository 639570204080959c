using Nabla.Onnx;
using static Nabla.Tests.OnnxTests.OnnxTestSupport;
using static Nabla.Tests.OnnxTests.SingleNode;

namespace Nabla.Tests.OnnxTests;

/// <summary>
/// Attribute variants of single operators against plain loop references written here: padding modes (auto_pad,
/// explicit asymmetric pads), ceil mode, count_include_pad, dilations, Gemm options, and the opset-dependent
/// forms of Clip, reductions, Squeeze/Unsqueeze and Softmax. Expected pads and output shapes are worked by hand.
/// </summary>
public class OperatorSemanticsTests
{
    private static readonly Generator Rng = new(11);

    // ---- references ------------------------------------------------------------------------------

    /// <summary>Direct convolution of x [N, C, H, W] with w [O, C, kh, kw], zero padding (top, left, bottom, right).</summary>
    private static Tensor RefConv(Tensor x, Tensor w, int[] stride, int[] pads, int[] outShape)
    {
        var (xs, ws) = (x.ToArray(), w.ToArray());
        int c = x.Shape[1], h = x.Shape[2], wd = x.Shape[3], kh = w.Shape[2], kw = w.Shape[3];
        var y = new float[outShape.Aggregate(1, (p, d) => p * d)];
        var i = 0;
        for (var n = 0; n < outShape[0]; n++)
        for (var o = 0; o < outShape[1]; o++)
        for (var oy = 0; oy < outShape[2]; oy++)
        for (var ox = 0; ox < outShape[3]; ox++, i++)
        {
            double s = 0;
            for (var ci = 0; ci < c; ci++)
            for (var ky = 0; ky < kh; ky++)
            for (var kx = 0; kx < kw; kx++)
            {
                int iy = oy * stride[0] + ky - pads[0], ix = ox * stride[1] + kx - pads[1];
                if (iy >= 0 && iy < h && ix >= 0 && ix < wd) s += xs[((n * c + ci) * h + iy) * wd + ix] * ws[((o * c + ci) * kh + ky) * kw + kx];
            }
            y[i] = (float)s;
        }
        return Tensor.FromArray(y, outShape);
    }

    /// <summary>
    /// Pooling over windows at o·stride + j·dilation - begin. Max ignores positions outside the input; the average divides by
    /// the positions inside the input, or (includePad) inside [-begin, size + end).
    /// </summary>
    private static Tensor RefPool(Tensor x, bool max, int[] k, int[] s, int[] d, int[] pads, bool includePad, int[] outHw)
    {
        var xs = x.ToArray();
        int nc = x.Shape[0] * x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        var y = new List<float>();
        for (var m = 0; m < nc; m++)
        for (var oy = 0; oy < outHw[0]; oy++)
        for (var ox = 0; ox < outHw[1]; ox++)
        {
            double best = double.NegativeInfinity, sum = 0;
            var count = 0;
            for (var ky = 0; ky < k[0]; ky++)
            for (var kx = 0; kx < k[1]; kx++)
            {
                int iy = oy * s[0] + ky * d[0] - pads[0], ix = ox * s[1] + kx * d[1] - pads[1];
                var inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                if (inside)
                {
                    var v = xs[(m * h + iy) * w + ix];
                    best = Math.Max(best, v);
                    sum += v;
                }
                if (includePad ? iy >= -pads[0] && iy < h + pads[2] && ix >= -pads[1] && ix < w + pads[3] : inside) count++;
            }
            y.Add(max ? (float)best : (float)(sum / count));
        }
        return Tensor.FromArray([.. y], [x.Shape[0], x.Shape[1], outHw[0], outHw[1]]);
    }

    // ---- convolution padding --------------------------------------------------------------------

    [Theory]
    // input 6x5, kernel 3x3, stride 2. SAME: out = ceil(in / 2) = 3x3; total padding H = 2·2 + 3 - 6 = 1, W = 2·2 + 3 - 5 = 2.
    [InlineData("SAME_UPPER", new[] { 0, 1, 1, 1 }, new[] { 3, 3 })]  // odd padding after
    [InlineData("SAME_LOWER", new[] { 1, 1, 0, 1 }, new[] { 3, 3 })]  // odd padding before
    [InlineData("VALID", new[] { 0, 0, 0, 0 }, new[] { 2, 2 })]
    [InlineData("NOTSET", new[] { 2, 0, 1, 1 }, new[] { 4, 2 })]      // pads [top, left, bottom, right]: H (6 + 3 - 3) / 2 + 1, W (5 + 1 - 3) / 2 + 1
    public void Conv_padding_modes(string autoPad, int[] pads, int[] outHw)
    {
        var x = Tensor.Randn([2, 2, 6, 5], Rng);
        var w = Tensor.Randn([3, 2, 3, 3], Rng);
        var attributes = new List<Nabla.Onnx.Proto.AttributeProto> { String("auto_pad", autoPad), Ints("strides", 2, 2), Ints("kernel_shape", 3, 3) };
        if (autoPad == "NOTSET") attributes.Add(Ints("pads", pads[0], pads[1], pads[2], pads[3]));
        var y = RunFloat("Conv", 17, [F(x), F(w)], [.. attributes]);
        Close(RefConv(x, w, [2, 2], pads, [2, 3, outHw[0], outHw[1]]), y, 1e-5f, autoPad);
    }

    [Fact]
    public void ConvTranspose_output_shape_and_auto_pad()
    {
        var x = Tensor.Randn([1, 2, 3, 3], Rng);
        var w = Tensor.Randn([2, 1, 3, 3], Rng);
        // Full transposed convolution: (3 - 1)·2 + 3 = 7 per axis; SAME_UPPER targets 3·2 = 6, so one row/column is cut at the end.
        var full = RunFloat("ConvTranspose", 17, [F(x), F(w)], Ints("strides", 2, 2));
        Assert.Equal([1, 1, 7, 7], full.Shape.ToArray());
        var same = RunFloat("ConvTranspose", 17, [F(x), F(w)], Ints("strides", 2, 2), String("auto_pad", "SAME_UPPER"));
        Close(full.Narrow(2, 0, 6).Narrow(3, 0, 6), same);
        var lower = RunFloat("ConvTranspose", 17, [F(x), F(w)], Ints("strides", 2, 2), String("auto_pad", "SAME_LOWER"));
        Close(full.Narrow(2, 1, 6).Narrow(3, 1, 6), lower);
        // output_shape 8x7: 8 needs one zero row appended (total padding -1), 7 is the full size.
        var shaped = RunFloat("ConvTranspose", 17, [F(x), F(w)], Ints("strides", 2, 2), Ints("output_shape", 8, 7));
        Close(full.Pad([(0, 0), (0, 0), (0, 1), (0, 0)]), shaped);
    }

    // ---- pooling ----------------------------------------------------------------------------------

    public sealed record PoolCase(string Name, string Op, int[] Kernel, int[] Strides, int[] Dilations, int[] Pads, string AutoPad, bool Ceil, bool IncludePad, int[] OutHw);

    private static readonly PoolCase[] PoolCases =
    [
        // 8x7 input. ceil: H (8 + 2 - 3) / 2 = 3.5 -> 4 + 1 = 5 (the last window starts at 8 < 8 + 1); W 6 / 2 + 1 = 4.
        new("max_ceil_pads", "MaxPool", [3, 3], [2, 2], [1, 1], [1, 1, 1, 1], "NOTSET", true, false, [5, 4]),
        new("max_floor_pads", "MaxPool", [3, 3], [2, 2], [1, 1], [1, 1, 1, 1], "NOTSET", false, false, [4, 4]),
        // dilation 2, kernel extent 3: H 8 + 2 - 3 + 1 = 8, W 7 + 2 - 3 + 1 = 7.
        new("max_dilated", "MaxPool", [2, 2], [1, 1], [2, 2], [1, 1, 1, 1], "NOTSET", false, false, [8, 7]),
        // SAME_UPPER, k 3, s 2: out 4x4; total H (4 - 1)·2 + 3 - 8 = 1 -> (0, 1); W (4 - 1)·2 + 3 - 7 = 2 -> (1, 1).
        new("max_same_upper", "MaxPool", [3, 3], [2, 2], [1, 1], [0, 1, 1, 1], "SAME_UPPER", false, false, [4, 4]),
        // SAME_LOWER, k 2, s 1: out 8x7; total 1 on each axis, before.
        new("max_same_lower", "MaxPool", [2, 2], [1, 1], [1, 1], [1, 1, 0, 0], "SAME_LOWER", false, false, [8, 7]),
        new("avg_ceil_exclude_pad", "AveragePool", [3, 3], [2, 2], [1, 1], [1, 1, 1, 1], "NOTSET", true, false, [5, 4]),
        new("avg_ceil_include_pad", "AveragePool", [3, 3], [2, 2], [1, 1], [1, 1, 1, 1], "NOTSET", true, true, [5, 4]),
        new("avg_valid", "AveragePool", [3, 3], [2, 2], [1, 1], [0, 0, 0, 0], "VALID", false, false, [3, 3]),
        // pads [top 0, left 1, bottom 2, right 0], k 2, s 2: H (8 + 2 - 2) / 2 + 1 = 5, W (7 + 1 - 2) / 2 + 1 = 4.
        new("avg_asymmetric_include_pad", "AveragePool", [2, 2], [2, 2], [1, 1], [0, 1, 2, 0], "NOTSET", false, true, [5, 4]),
        new("avg_same_upper_exclude_pad", "AveragePool", [3, 3], [2, 2], [1, 1], [0, 1, 1, 1], "SAME_UPPER", false, false, [4, 4]),
        new("avg_dilated_opset19", "AveragePool", [2, 3], [1, 2], [2, 1], [1, 0, 1, 0], "NOTSET", false, true, [8, 3]),
    ];

    public static TheoryData<string> PoolNames() => [.. PoolCases.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(PoolNames))]
    public void Pooling_variants(string name)
    {
        var c = PoolCases.Single(p => p.Name == name);
        var x = Tensor.Randn([2, 2, 8, 7], Rng);
        var attributes = new List<Nabla.Onnx.Proto.AttributeProto>
        {
            Ints("kernel_shape", [.. c.Kernel.Select(v => (long)v)]), Ints("strides", [.. c.Strides.Select(v => (long)v)]),
            String("auto_pad", c.AutoPad), Int("ceil_mode", c.Ceil ? 1 : 0),
        };
        if (c.AutoPad == "NOTSET") attributes.Add(Ints("pads", [.. c.Pads.Select(v => (long)v)]));
        if (c.Dilations.Any(d => d != 1)) attributes.Add(Ints("dilations", [.. c.Dilations.Select(v => (long)v)]));
        if (c.Op == "AveragePool") attributes.Add(Int("count_include_pad", c.IncludePad ? 1 : 0));
        var y = RunFloat(c.Op, name.EndsWith("opset19", StringComparison.Ordinal) ? 19 : 17, [F(x)], [.. attributes]);
        Close(RefPool(x, c.Op == "MaxPool", c.Kernel, c.Strides, c.Dilations, c.Pads, c.IncludePad, c.OutHw), y, 1e-5f, name);
    }

    [Fact]
    public void One_dimensional_pooling_runs_as_height_one()
    {
        var x = Tensor.Randn([2, 3, 9], Rng);
        var y = RunFloat("AveragePool", 17, [F(x)], Ints("kernel_shape", 3), Ints("strides", 2), Ints("pads", 1, 1), Int("count_include_pad", 1));
        // (9 + 2 - 3) / 2 + 1 = 5 windows.
        var expected = RefPool(x.Unsqueeze(2), false, [1, 3], [1, 2], [1, 1], [0, 1, 0, 1], true, [1, 5]).Squeeze(2);
        Close(expected, y);
    }

    [Fact]
    public void MaxPool_indices_output_is_refused_by_name()
    {
        var e = Assert.Throws<NotSupportedException>(() => Run("MaxPool", 17, [F(Tensor.Zeros(1, 1, 4, 4))], 2, Ints("kernel_shape", 2, 2)));
        Assert.Contains("Indices output of MaxPool", e.Message, StringComparison.Ordinal);
    }

    // ---- Gemm -------------------------------------------------------------------------------------

    [Theory]
    [InlineData(false, false, 1f, 1f, "vector")]
    [InlineData(true, false, 0.5f, 2f, "column")]
    [InlineData(false, true, -1f, 0.25f, "scalar")]
    [InlineData(true, true, 2f, 3f, "none")]
    public void Gemm_options(bool transA, bool transB, float alpha, float beta, string c)
    {
        var a = Tensor.Randn(transA ? [4, 3] : [3, 4], Rng);
        var b = Tensor.Randn(transB ? [5, 4] : [4, 5], Rng);
        Tensor? bias = c switch { "vector" => Tensor.Randn([5], Rng), "column" => Tensor.Randn([3, 1], Rng), "scalar" => Tensor.Scalar(0.7f), _ => null };
        var y = RunFloat("Gemm", 13, [F(a), F(b), bias is null ? null : F(bias)], Int("transA", transA ? 1 : 0), Int("transB", transB ? 1 : 0), Float("alpha", alpha), Float("beta", beta));
        var (av, bv, cv) = (a.ToArray(), b.ToArray(), bias?.ToArray());
        var expected = new float[15];
        for (var i = 0; i < 3; i++)
        for (var j = 0; j < 5; j++)
        {
            double s = 0;
            for (var k = 0; k < 4; k++) s += av[transA ? k * 3 + i : i * 4 + k] * bv[transB ? j * 4 + k : k * 5 + j];
            var cij = c switch { "vector" => cv![j], "column" => cv![i], "scalar" => cv![0], _ => 0f };
            expected[i * 5 + j] = (float)(alpha * s + beta * cij);
        }
        Close(Tensor.FromArray(expected, 3, 5), y);
    }

    // ---- opset-dependent forms --------------------------------------------------------------------

    [Fact]
    public void Clip_attributes_before_opset_11_inputs_after()
    {
        var x = Tensor.FromArray([-2f, -0.5f, 0.2f, 0.9f, 3f], 5);
        Close(Tensor.FromArray([-0.4f, -0.4f, 0.2f, 0.5f, 0.5f], 5), RunFloat("Clip", 6, [F(x)], Float("min", -0.4f), Float("max", 0.5f)));
        Close(Tensor.FromArray([-0.4f, -0.4f, 0.2f, 0.9f, 3f], 5), RunFloat("Clip", 11, [F(x), F(Tensor.Scalar(-0.4f))]));
        Close(Tensor.FromArray([-2f, -0.5f, 0.2f, 0.5f, 0.5f], 5), RunFloat("Clip", 13, [F(x), null, F(Tensor.Scalar(0.5f))]));
        Close(x, RunFloat("Clip", 12, [F(x)]));
    }

    [Theory]
    [InlineData("ReduceSum", 11, "attr", new long[] { 1 }, 0, new[] { 2, 4 })]
    [InlineData("ReduceSum", 13, "input", new long[] { -1 }, 1, new[] { 2, 3, 1 })]
    [InlineData("ReduceSum", 13, "none", new long[0], 0, new int[0])]
    [InlineData("ReduceMean", 13, "attr", new long[] { 0, 2 }, 1, new[] { 1, 3, 1 })]
    [InlineData("ReduceMean", 18, "input", new long[] { 0, 2 }, 0, new[] { 3 })]
    [InlineData("ReduceMax", 18, "none", new long[0], 1, new[] { 1, 1, 1 })]
    [InlineData("ReduceMax", 11, "attr", new long[] { -2 }, 1, new[] { 2, 1, 4 })]
    public void Reduce_axes_and_keepdims(string op, int opset, string axesAs, long[] axes, int keepDims, int[] shape)
    {
        var x = Tensor.Randn([2, 3, 4], Rng);
        var attributes = new List<Nabla.Onnx.Proto.AttributeProto> { Int("keepdims", keepDims) };
        if (axesAs == "attr") attributes.Add(Ints("axes", axes));
        var y = RunFloat(op, opset, axesAs == "input" ? [F(x), I(axes)] : [F(x)], [.. attributes]);
        Assert.Equal(shape, y.Shape.ToArray());
        // Reference: reduce the plain array over the listed axes (all when none), keeping or dropping them.
        var reduced = axes.Length == 0 ? [0, 1, 2] : axes.Select(a => (int)(a < 0 ? a + 3 : a)).ToArray();
        var data = x.ToArray();
        var groups = new Dictionary<string, List<float>>();
        for (var i = 0; i < 24; i++)
        {
            int[] index = [i / 12, i / 4 % 3, i % 4];
            var key = string.Join(",", Enumerable.Range(0, 3).Where(d => !reduced.Contains(d)).Select(d => index[d]));
            (groups.TryGetValue(key, out var list) ? list : groups[key] = []).Add(data[i]);
        }
        var expected = groups.Values.Select(g => op switch { "ReduceSum" => g.Sum(), "ReduceMean" => g.Average(), _ => g.Max() }).ToArray();
        Close(Tensor.FromArray(expected, shape), y);
    }

    [Fact]
    public void Empty_axes_with_noop_flag_pass_the_input_through()
    {
        var x = Tensor.Randn([2, 3], Rng);
        Close(x, RunFloat("ReduceSum", 13, [F(x)], Int("noop_with_empty_axes", 1)));
        Close(x, RunFloat("ReduceMean", 18, [F(x), I()], Int("noop_with_empty_axes", 1)));
    }

    [Theory]
    [InlineData("Squeeze", 11, "attr", new long[] { 1 }, new[] { 2, 3, 1 })]
    [InlineData("Squeeze", 13, "input", new long[] { -1, 1 }, new[] { 2, 3 })]
    [InlineData("Squeeze", 13, "none", new long[0], new[] { 2, 3 })]
    [InlineData("Unsqueeze", 11, "attr", new long[] { 0, 5 }, new[] { 1, 2, 1, 3, 1, 1 })]
    [InlineData("Unsqueeze", 13, "input", new long[] { -1, 1 }, new[] { 2, 1, 1, 3, 1, 1 })]
    public void Squeeze_and_Unsqueeze_axes(string op, int opset, string axesAs, long[] axes, int[] shape)
    {
        var x = Tensor.Randn([2, 1, 3, 1], Rng);
        var y = Run(op, opset, axesAs == "input" ? [F(x), I(axes)] : [F(x)], 1, axesAs == "attr" ? [Ints("axes", axes)] : [])[0].ToTensor();
        Assert.Equal(shape, y.Shape.ToArray());
        Assert.Equal(x.ToArray(), y.ToArray());
    }

    [Fact]
    public void Squeeze_of_a_wide_axis_is_an_error_naming_the_node()
    {
        var e = Assert.Throws<ArgumentException>(() => Run("Squeeze", 13, [F(Tensor.Zeros(2, 3)), I(0)]));
        Assert.Contains("Squeeze node 'n'", e.Message, StringComparison.Ordinal);
        Assert.Contains("axis 0 of size 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Softmax_before_opset_13_normalises_the_flattened_tail()
    {
        var x = Tensor.Randn([2, 3, 4], Rng);
        var old = RunFloat("Softmax", 11, [F(x)], Int("axis", 1));
        var data = x.ToArray();
        var expected = new float[24];
        for (var n = 0; n < 2; n++)
        {
            // opset < 13: one distribution over the 12 values of each batch row.
            var row = data.Skip(12 * n).Take(12).Select(v => Math.Exp(v)).ToArray();
            for (var i = 0; i < 12; i++) expected[12 * n + i] = (float)(row[i] / row.Sum());
        }
        Close(Tensor.FromArray(expected, 2, 3, 4), old);
        var modern = RunFloat("Softmax", 13, [F(x)], Int("axis", 1));
        Close(Tensor.Ones(2, 4), modern.Sum(1));
        var log = RunFloat("LogSoftmax", 11, [F(x)], Int("axis", 1));
        Close(Tensor.FromArray([.. expected.Select(v => MathF.Log(v))], 2, 3, 4), log);
    }

    [Fact]
    public void Reshape_copies_zeros_and_infers_minus_one()
    {
        var x = Tensor.Arange(24).Reshape(2, 3, 4);
        Assert.Equal([2, 4, 3], RunFloat("Reshape", 13, [F(x), I(0, -1, 3)]).Shape.ToArray());
        Assert.Equal([3, 8], RunFloat("Reshape", 14, [F(x), I(3, -1)], Int("allowzero", 1)).Shape.ToArray());
        Assert.Contains("more than one -1", Assert.Throws<ArgumentException>(() => RunFloat("Reshape", 13, [F(x), I(-1, -1)])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Integer_shape_arithmetic_stays_exact()
    {
        // Gather with a negative index and Concat on int64 values, as exporters compute Reshape targets.
        var big = OnnxValue.Int([1L << 40, 7, 9], [3]);
        var gathered = Run("Gather", 13, [big, I(-1, 0)])[0];
        Assert.Equal([9L, 1L << 40], gathered.Ints!);
        var sum = Run("Add", 13, [big, I(1)])[0];
        Assert.Equal([(1L << 40) + 1, 8, 10], sum.Ints!);
        var shape = Run("Shape", 15, [F(Tensor.Zeros(2, 3, 5))], 1, Int("start", -2))[0];
        Assert.Equal([3L, 5], shape.Ints!);
    }

    [Fact]
    public void Slice_with_negative_steps_and_clamped_ends()
    {
        var x = Tensor.Arange(10);
        Assert.Equal([9f, 7f, 5f], RunFloat("Slice", 13, [F(x), I(-1), I(3), I(0), I(-2)]).ToArray());
        Assert.Equal([2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f], RunFloat("Slice", 13, [F(x), I(2), I(long.MaxValue)]).ToArray());
    }

    [Fact]
    public void Unsupported_operator_is_named_with_its_node()
    {
        var model = OnnxModel.Load(Model("FancyOp", 17, [F(Tensor.Zeros(2))], 1, [], nodeName: "mystery"));
        Assert.Equal(["FancyOp"], model.UnsupportedOperators);
        var e = Assert.Throws<NotSupportedException>(() => model.Run(Tensor.Zeros(2)));
        Assert.Contains("'FancyOp'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'mystery'", e.Message, StringComparison.Ordinal);
    }
}
