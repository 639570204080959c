using Nabla.Backends.Cpu;

namespace Nabla.Tests.Backends;

/// <summary>im2col + GEMM convolution and its backward against direct loops over every window, in double.</summary>
public class ConvolutionTests
{
    public static TheoryData<string> Geometries() =>
    [
        "N2 C3 H7 W6 O4 k3x3",
        "N1 C2 H8 W8 O3 k3x2 s2x1 p1x0",
        "N2 C4 H9 W7 O6 k3x3 s2x2 p1x1 d2x1 g2",
        "N1 C1 H5 W5 O2 k5x5 p2x2",
        "N3 C6 H6 W5 O6 k1x1 g3",
        "N1 C2 H4 W4 O2 k2x2 s3x3",
        "N2 C5 H4 W6 O7 k1x1",            // 1×1, stride 1: the image is its own column matrix
        "N2 C1 H28 W28 O6 k5x5 p2x2",     // LeNet's first layer: 784 positions, 6 channels
        "N3 C6 H14 W14 O16 k5x5",         // LeNet's second: 100 positions (a ragged 16-wide panel), 16 channels
        "N2 C4 H9 W8 O6 k3x2 p2x1 d2x1 g2", // stride 1 with padding, dilation and groups: shifted windows of a padded image
        "N80 C2 H6 W5 O3 k3x3 p1x1",        // ten images per weight-gradient chunk: two multi-image passes each
        "N3 C4 H7 W9 O26 k3x3 p1x2 d1x2 g2", // 13 output channels per group: the weight gradient as a product with a ragged panel
        "N20 C3 H6 W6 O12 k3x3 p1x1",       // several images per chunk added onto one product
    ];

    private static Conv2dGeometry Parse(string spec)
    {
        int Get(string key, int index, int fallback)
        {
            var token = spec.Split(' ').FirstOrDefault(t => t.StartsWith(key, StringComparison.Ordinal) && char.IsDigit(t[key.Length]));
            return token is null ? fallback : int.Parse(token[key.Length..].Split('x')[index]);
        }
        return new Conv2dGeometry(Get("N", 0, 1), Get("C", 0, 1), Get("H", 0, 1), Get("W", 0, 1), Get("O", 0, 1), Get("k", 0, 1), Get("k", 1, 1),
            Get("s", 0, 1), Get("s", 1, 1), Get("p", 0, 0), Get("p", 1, 0), Get("d", 0, 1), Get("d", 1, 1), Get("g", 0, 1));
    }

    /// <summary>Direct convolution and its adjoint, one multiply-add per (output, kernel tap).</summary>
    private static (double[] Y, double[] Dx, double[] Dw, double[] Db) Naive(float[] x, float[] w, float[] b, float[] dy, Conv2dGeometry g)
    {
        int ho = g.OutHeight, wo = g.OutWidth, cg = g.InChannels / g.Groups, og = g.OutChannels / g.Groups;
        var y = new double[g.Batch * g.OutChannels * ho * wo];
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        var db = new double[g.OutChannels];
        for (var n = 0; n < g.Batch; n++)
        for (var o = 0; o < g.OutChannels; o++)
        for (var oh = 0; oh < ho; oh++)
        for (var ow = 0; ow < wo; ow++)
        {
            var yi = ((n * g.OutChannels + o) * ho + oh) * wo + ow;
            double s = b[o];
            db[o] += dy[yi];
            for (var c = 0; c < cg; c++)
            for (var i = 0; i < g.KernelH; i++)
            for (var j = 0; j < g.KernelW; j++)
            {
                var ih = oh * g.StrideH - g.PadH + i * g.DilationH;
                var iw = ow * g.StrideW - g.PadW + j * g.DilationW;
                if (ih < 0 || ih >= g.Height || iw < 0 || iw >= g.Width) continue;
                var xi = ((n * g.InChannels + (o / og) * cg + c) * g.Height + ih) * g.Width + iw;
                var wi = ((o * cg + c) * g.KernelH + i) * g.KernelW + j;
                s += (double)w[wi] * x[xi];
                dx[xi] += (double)dy[yi] * w[wi];
                dw[wi] += (double)dy[yi] * x[xi];
            }
            y[yi] = s;
        }
        return (y, dx, dw, db);
    }

    private static void AssertClose(double[] expected, float[] actual, string what)
    {
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * (1 + Math.Abs(expected[i])), $"{what}[{i}] = {actual[i]}, expected {expected[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Forward_and_backward_match_direct_loops(string spec)
    {
        var g = Parse(spec);
        var rng = new Generator(3);
        var x = Tensor.Randn([g.Batch * g.InChannels * g.Height * g.Width], rng).ToArray();
        var w = Tensor.Randn([g.OutChannels * g.PatchSize], rng).ToArray();
        var b = Tensor.Randn([g.OutChannels], rng).ToArray();
        var dy = Tensor.Randn([g.Batch * g.OutChannels * g.OutHeight * g.OutWidth], rng).ToArray();
        var expected = Naive(x, w, b, dy, g);

        var y = new float[dy.Length];
        Convolution.Forward(x, w, b, y, g);
        AssertClose(expected.Y, y, $"{spec} y");

        var dx = Enumerable.Repeat(123f, x.Length).ToArray(); // overwritten, not accumulated
        var dw = Enumerable.Repeat(123f, w.Length).ToArray();
        var db = new float[b.Length];
        Convolution.Backward(x, w, dy, dx, dw, db, g);
        AssertClose(expected.Dx, dx, $"{spec} dx");
        AssertClose(expected.Dw, dw, $"{spec} dw");
        AssertClose(expected.Db, db, $"{spec} db");
    }
}

/// <summary>An empty batch through the layer: an empty output and zero weight and bias gradients, not a crash.</summary>
public class EmptyBatchConvolutionTests
{
    [Fact]
    public void An_empty_batch_gives_zero_weight_gradients()
    {
        var x = Tensor.Zeros(0, 3, 8, 8).RequireGrad();
        var w = Tensor.Randn([4, 3, 3, 3], new Generator(6)).RequireGrad();
        var b = Tensor.Randn([4], new Generator(7)).RequireGrad();
        var y = Nabla.NN.Functional.Conv2d(x, w, b, padding: 1);
        Assert.Equal(new Shape(0, 4, 8, 8), y.Shape);
        y.Sum().Backward();
        Assert.All(w.Grad!.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(b.Grad!.ToArray(), v => Assert.Equal(0f, v));
    }
}

/// <summary>Pooling kernels against direct loops, including padding and ceil mode.</summary>
public class PoolingTests
{
    public static TheoryData<int, int, int, int, int, bool, bool> Windows() => new()
    {
        // H, W, kernel, stride, pad, ceilMode, countIncludePad
        { 6, 6, 2, 2, 0, false, true },
        { 7, 5, 3, 2, 1, false, true },
        { 7, 5, 3, 2, 1, false, false },
        { 7, 7, 2, 2, 0, true, true },
        { 5, 8, 3, 3, 1, true, false },
        { 4, 4, 3, 1, 1, false, false },
        // 2×2 stride 2: the vector path (rows of 4+ outputs, overlapping the last group) and the scalar one
        { 28, 28, 2, 2, 0, false, true },
        { 10, 10, 2, 2, 0, false, true },
        { 9, 17, 2, 2, 0, false, true },
        { 5, 7, 2, 2, 0, false, true },
        { 11, 9, 2, 2, 0, false, true },    // odd sizes: a row and a column no window covers, and an overlapping last group
    };

    [Theory]
    [MemberData(nameof(Windows))]
    public void Max_and_average_pooling_match_direct_loops(int h, int w, int k, int s, int p, bool ceil, bool includePad)
    {
        var g = new Pool2dGeometry(2, 3, h, w, k, k, s, s, p, p, ceil);
        var x = Tensor.Randn([2 * 3 * h * w], new Generator(4)).ToArray();
        int ho = g.OutHeight, wo = g.OutWidth;
        // PyTorch's sizes: floor or ceil of (H + 2p - k) / s + 1, dropping a last window that starts in the right padding.
        var expectedHo = (ceil ? (int)Math.Ceiling((h + 2.0 * p - k) / s) : (h + 2 * p - k) / s) + 1;
        if (ceil && (expectedHo - 1) * s >= h + p) expectedHo--;
        Assert.Equal(expectedHo, ho);

        var dy = Tensor.Randn([2 * 3 * ho * wo], new Generator(5)).ToArray();
        var yMax = new float[dy.Length];
        var argmax = new int[dy.Length];
        var yAvg = new float[dy.Length];
        Pooling.MaxForward(x, yMax, argmax, g);
        Pooling.AvgForward(x, yAvg, g, includePad);
        // The backward kernels overwrite dx: start from garbage so an element they skip shows.
        var dxMax = Enumerable.Repeat(float.NaN, x.Length).ToArray();
        var dxAvg = Enumerable.Repeat(float.NaN, x.Length).ToArray();
        Pooling.MaxBackward(dy, argmax, dxMax, g);
        Pooling.AvgBackward(dy, dxAvg, g, includePad);

        var refDxMax = new double[x.Length];
        var refDxAvg = new double[x.Length];
        for (var plane = 0; plane < 6; plane++)
        for (var oh = 0; oh < ho; oh++)
        for (var ow = 0; ow < wo; ow++)
        {
            var o = (plane * ho + oh) * wo + ow;
            var best = double.NegativeInfinity;
            var bestAt = -1;
            var sum = 0.0;
            var inside = 0;
            var padded = 0;
            for (var i = 0; i < k; i++)
            for (var j = 0; j < k; j++)
            {
                int ih = oh * s - p + i, iw = ow * s - p + j;
                if (ih < h + p && iw < w + p) padded++;
                if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                var at = plane * h * w + ih * w + iw;
                inside++;
                sum += x[at];
                if (x[at] > best)
                {
                    best = x[at];
                    bestAt = at;
                }
            }
            var divisor = includePad ? padded : inside;
            Assert.Equal((float)best, yMax[o]);
            Assert.Equal(sum / divisor, yAvg[o], 1e-5);
            refDxMax[bestAt] += dy[o];
            for (var i = 0; i < k; i++)
            for (var j = 0; j < k; j++)
            {
                int ih = oh * s - p + i, iw = ow * s - p + j;
                if (ih >= 0 && ih < h && iw >= 0 && iw < w) refDxAvg[plane * h * w + ih * w + iw] += dy[o] / divisor;
            }
        }
        for (var i = 0; i < x.Length; i++)
        {
            Assert.Equal(refDxMax[i], dxMax[i], 1e-5);
            Assert.Equal(refDxAvg[i], dxAvg[i], 1e-5);
        }
    }

    [Theory]
    [InlineData(28)]
    [InlineData(10)]
    [InlineData(6)]
    public void Two_by_two_max_pooling_keeps_the_first_maximum_and_propagates_the_first_NaN(int size)
    {
        var g = new Pool2dGeometry(2, 3, size, size, 2, 2, 2, 2);
        var values = new[] { 0f, 1f, 2f, float.NaN, -0f };
        var random = new Random(7);
        var x = new float[2 * 3 * size * size];
        for (var i = 0; i < x.Length; i++) x[i] = values[random.Next(values.Length)];
        int ho = g.OutHeight, wo = g.OutWidth;
        var y = new float[2 * 3 * ho * wo];
        var argmax = new int[y.Length];
        Pooling.MaxForward(x, y, argmax, g);

        var nanWindows = 0;
        for (var plane = 0; plane < 6; plane++)
        for (var oh = 0; oh < ho; oh++)
        for (var ow = 0; ow < wo; ow++)
        {
            // Scan order: row by row; a later element wins only when strictly larger, or when it is the first NaN.
            int? bestAt = null;
            foreach (var (i, j) in new[] { (0, 0), (0, 1), (1, 0), (1, 1) })
            {
                var at = (2 * oh + i) * size + 2 * ow + j;
                var v = x[plane * size * size + at];
                if (bestAt is not { } b) { bestAt = at; continue; }
                var best = x[plane * size * size + b];
                if (float.IsNaN(best)) continue;
                if (float.IsNaN(v) || v > best) bestAt = at;
            }
            var o = (plane * ho + oh) * wo + ow;
            Assert.Equal(bestAt, argmax[o]);
            Assert.Equal(x[plane * size * size + bestAt!.Value], y[o]);
            if (float.IsNaN(y[o])) nanWindows++;
        }
        Assert.InRange(nanWindows, 1, y.Length - 1);
    }
}
