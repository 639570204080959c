using Nabla.Backends.Cpu;

namespace Nabla.NN;

public static partial class Functional
{
    /// <summary>
    /// 2-D convolution (cross-correlation, as in every framework): x [N, C, H, W], weight [O, C/groups, kh, kw],
    /// bias [O] -> [N, O, Ho, Wo] with Ho = ⌊(H + 2·padH - dilH·(kh - 1) - 1) / strideH⌋ + 1.
    /// </summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias = null, Size2? stride = null, Padding2 padding = default, Size2? dilation = null, int groups = 1)
    {
        var s = stride ?? 1;
        var d = dilation ?? 1;
        if (x.Rank != 4) throw new ArgumentException($"Conv2d: input must be [N, C, H, W]; got {x.Shape}.");
        if (weight.Rank != 4) throw new ArgumentException($"Conv2d: weight must be [out, in/groups, kh, kw]; got {weight.Shape}.");
        CheckPositive("Conv2d", s, d, groups);
        int n = x.Shape[0], c = x.Shape[1], o = weight.Shape[0], kh = weight.Shape[2], kw = weight.Shape[3];
        if (c % groups != 0 || o % groups != 0)
        {
            throw new ArgumentException($"Conv2d: groups = {groups} must divide the input channels {c} and output channels {o}.");
        }
        if (weight.Shape[1] != c / groups)
        {
            throw new ArgumentException($"Conv2d: input {x.Shape} has {c} channels, so weight {weight.Shape} needs {c / groups} (= in/groups) on axis 1.");
        }
        CheckBias("Conv2d", bias, o);
        var (padH, padW) = (padding.H, padding.W);
        if (padding.IsSame)
        {
            if (s.H != 1 || s.W != 1) throw new ArgumentException($"Conv2d: padding 'same' needs stride 1; got stride {s}.");
            var totalH = d.H * (kh - 1);
            var totalW = d.W * (kw - 1);
            (padH, padW) = (totalH / 2, totalW / 2);
            var (extraH, extraW) = (totalH - 2 * padH, totalW - 2 * padW);
            if (extraH > 0 || extraW > 0) x = x.Pad([(0, 0), (0, 0), (0, extraH), (0, extraW)]);
        }
        if (padH < 0 || padW < 0) throw new ArgumentException($"Conv2d: padding must be non-negative; got {padding}.");
        var g = new Conv2dGeometry(n, c, x.Shape[2], x.Shape[3], o, kh, kw, s.H, s.W, padH, padW, d.H, d.W, groups);
        if (g.OutHeight <= 0 || g.OutWidth <= 0)
        {
            throw new ArgumentException($"Conv2d: input {x.Shape} is smaller than the (dilated) kernel {kh}x{kw} with padding {padding}; the output would be empty.");
        }
        return Ops.Conv2d.Apply(x, weight, bias, g);
    }

    /// <summary>
    /// Transposed 2-D convolution (the gradient of Conv2d with respect to its input): x [N, C, H, W],
    /// weight [C, O/groups, kh, kw], bias [O] -> [N, O, Ho, Wo] with
    /// Ho = (H - 1)·strideH - 2·padH + dilH·(kh - 1) + outputPadH + 1.
    /// </summary>
    public static Tensor ConvTranspose2d(Tensor x, Tensor weight, Tensor? bias = null, Size2? stride = null, Size2? padding = null, Size2? outputPadding = null, int groups = 1, Size2? dilation = null)
    {
        var s = stride ?? 1;
        var p = padding ?? 0;
        var op = outputPadding ?? 0;
        var d = dilation ?? 1;
        if (x.Rank != 4) throw new ArgumentException($"ConvTranspose2d: input must be [N, C, H, W]; got {x.Shape}.");
        if (weight.Rank != 4) throw new ArgumentException($"ConvTranspose2d: weight must be [in, out/groups, kh, kw]; got {weight.Shape}.");
        CheckPositive("ConvTranspose2d", s, d, groups);
        int n = x.Shape[0], c = x.Shape[1], kh = weight.Shape[2], kw = weight.Shape[3];
        if (weight.Shape[0] != c)
        {
            throw new ArgumentException($"ConvTranspose2d: input {x.Shape} has {c} channels but weight {weight.Shape} expects {weight.Shape[0]} on axis 0.");
        }
        if (c % groups != 0) throw new ArgumentException($"ConvTranspose2d: groups = {groups} must divide the input channels {c}.");
        var o = weight.Shape[1] * groups;
        CheckBias("ConvTranspose2d", bias, o);
        if (p.H < 0 || p.W < 0 || op.H < 0 || op.W < 0) throw new ArgumentException($"ConvTranspose2d: padding and output padding must be non-negative; got {p} and {op}.");
        if ((op.H >= s.H && op.H >= d.H) || (op.W >= s.W && op.W >= d.W))
        {
            throw new ArgumentException($"ConvTranspose2d: output padding {op} must be smaller than the stride {s} or the dilation {d}.");
        }
        var ho = (x.Shape[2] - 1) * s.H - 2 * p.H + d.H * (kh - 1) + op.H + 1;
        var wo = (x.Shape[3] - 1) * s.W - 2 * p.W + d.W * (kw - 1) + op.W + 1;
        if (ho <= 0 || wo <= 0) throw new ArgumentException($"ConvTranspose2d: input {x.Shape} with padding {p} gives an empty output ({ho}x{wo}).");
        // The convolution this is the adjoint of maps [N, O, Ho, Wo] to x's shape.
        var g = new Conv2dGeometry(n, o, ho, wo, c, kh, kw, s.H, s.W, p.H, p.W, d.H, d.W, groups);
        return Ops.ConvTranspose2d.Apply(x, weight, bias, g);
    }

    /// <summary>Max pooling: x [N, C, H, W] -> [N, C, Ho, Wo]; stride defaults to the kernel size; padding (at most half the kernel) never wins.</summary>
    public static Tensor MaxPool2d(Tensor x, Size2 kernelSize, Size2? stride = null, Size2? padding = null, bool ceilMode = false) =>
        Ops.MaxPool2d.Apply(x, PoolGeometry("MaxPool2d", x, kernelSize, stride, padding, ceilMode));

    /// <summary>Average pooling: x [N, C, H, W] -> [N, C, Ho, Wo]; with <paramref name="countIncludePad"/> the padding zeros count in each average.</summary>
    public static Tensor AvgPool2d(Tensor x, Size2 kernelSize, Size2? stride = null, Size2? padding = null, bool ceilMode = false, bool countIncludePad = true) =>
        Ops.AvgPool2d.Apply(x, PoolGeometry("AvgPool2d", x, kernelSize, stride, padding, ceilMode), countIncludePad);

    /// <summary>Global average pooling: x [N, C, H, W] -> [N, C] (or [N, C, 1, 1] with keepDims).</summary>
    public static Tensor GlobalAvgPool2d(Tensor x, bool keepDims = false)
    {
        if (x.Rank != 4) throw new ArgumentException($"GlobalAvgPool2d: input must be [N, C, H, W]; got {x.Shape}.");
        return x.Mean([2, 3], keepDims);
    }

    private static Pool2dGeometry PoolGeometry(string op, Tensor x, Size2 k, Size2? stride, Size2? padding, bool ceilMode)
    {
        var s = stride ?? k;
        var p = padding ?? 0;
        if (x.Rank != 4) throw new ArgumentException($"{op}: input must be [N, C, H, W]; got {x.Shape}.");
        if (k.H <= 0 || k.W <= 0 || s.H <= 0 || s.W <= 0) throw new ArgumentException($"{op}: kernel size {k} and stride {s} must be positive.");
        if (p.H < 0 || p.W < 0 || 2 * p.H > k.H || 2 * p.W > k.W)
        {
            throw new ArgumentException($"{op}: padding {p} must be between 0 and half the kernel size {k}.");
        }
        var g = new Pool2dGeometry(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], k.H, k.W, s.H, s.W, p.H, p.W, ceilMode);
        if (g.OutHeight <= 0 || g.OutWidth <= 0)
        {
            throw new ArgumentException($"{op}: input {x.Shape} is smaller than the kernel {k} with padding {p}; the output would be empty.");
        }
        return g;
    }

    private static void CheckPositive(string op, Size2 stride, Size2 dilation, int groups)
    {
        if (stride.H <= 0 || stride.W <= 0 || dilation.H <= 0 || dilation.W <= 0 || groups <= 0)
        {
            throw new ArgumentException($"{op}: stride {stride}, dilation {dilation} and groups {groups} must be positive.");
        }
    }

    private static void CheckBias(string op, Tensor? bias, int channels)
    {
        if (bias is not null && (bias.Rank != 1 || bias.Count != channels))
        {
            throw new ArgumentException($"{op}: bias must be [{channels}] (one per output channel); got {bias.Shape}.");
        }
    }
}
