namespace Nabla.Backends.Cpu;

/// <summary>Window geometry of 2-D pooling over [N, C, H, W], with PyTorch's output-size rules (incl. ceil mode).</summary>
internal readonly record struct Pool2dGeometry(
    int Batch, int Channels, int Height, int Width, int KernelH, int KernelW,
    int StrideH, int StrideW, int PadH = 0, int PadW = 0, bool CeilMode = false)
{
    public int OutHeight => OutSize(Height, KernelH, StrideH, PadH);
    public int OutWidth => OutSize(Width, KernelW, StrideW, PadW);

    private int OutSize(int size, int kernel, int stride, int pad)
    {
        var span = size + 2 * pad - kernel;
        var output = (CeilMode ? (span + stride - 1) / stride : span / stride) + 1;
        // NOTE: in ceil mode the last window must start inside the input or its left padding.
        if (CeilMode && (output - 1) * stride >= size + pad) output--;
        return output;
    }
}

/// <summary>Max and average pooling, forward and backward, one image plane at a time.</summary>
internal static class Pooling
{
    /// <summary>y = max over each window (padding never wins); argmax holds each maximum's index within its plane.</summary>
    public static void MaxForward(ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, in Pool2dGeometry g)
    {
        int ho = g.OutHeight, wo = g.OutWidth, plane = g.Height * g.Width;
        for (var p = 0; p < g.Batch * g.Channels; p++)
        {
            var src = x.Slice(p * plane, plane);
            for (var oh = 0; oh < ho; oh++)
            {
                var (h0, hs, he) = Window(oh, g.StrideH, g.PadH, g.KernelH, g.Height);
                for (var ow = 0; ow < wo; ow++)
                {
                    var (w0, ws, we) = Window(ow, g.StrideW, g.PadW, g.KernelW, g.Width);
                    var best = float.NegativeInfinity;
                    var at = hs * g.Width + ws;
                    for (var h = hs; h < he; h++)
                    for (var w = ws; w < we; w++)
                    {
                        var v = src[h * g.Width + w];
                        if (v > best || float.IsNaN(v))
                        {
                            best = v;
                            at = h * g.Width + w;
                            if (float.IsNaN(v)) goto done;
                        }
                    }
                    done:
                    var o = (p * ho + oh) * wo + ow;
                    y[o] = best;
                    argmax[o] = at;
                }
            }
        }
    }

    /// <summary>dx (overwritten): each output's gradient goes to the input element that was its maximum.</summary>
    public static void MaxBackward(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx, in Pool2dGeometry g)
    {
        int outPlane = g.OutHeight * g.OutWidth, plane = g.Height * g.Width;
        dx[..(g.Batch * g.Channels * plane)].Clear();
        for (var p = 0; p < g.Batch * g.Channels; p++)
        {
            var dst = dx.Slice(p * plane, plane);
            for (var o = p * outPlane; o < (p + 1) * outPlane; o++) dst[argmax[o]] += dy[o];
        }
    }

    /// <summary>Window of output position o along one axis: its start in padded coordinates and the clipped range [begin, end) inside the input.</summary>
    private static (int Start, int Begin, int End) Window(int o, int stride, int pad, int kernel, int size)
    {
        var start = o * stride - pad;
        return (start, Math.Max(start, 0), Math.Min(start + kernel, size));
    }

    /// <summary>
    /// Number of elements an average divides by: the window clipped to the padded input when padding
    /// counts, else to the image itself.
    /// </summary>
    private static int Divisor(int h0, int w0, in Pool2dGeometry g, bool countIncludePad)
    {
        if (countIncludePad)
        {
            var he = Math.Min(h0 + g.KernelH, g.Height + g.PadH);
            var we = Math.Min(w0 + g.KernelW, g.Width + g.PadW);
            return (he - h0) * (we - w0);
        }
        return (Math.Min(h0 + g.KernelH, g.Height) - Math.Max(h0, 0)) * (Math.Min(w0 + g.KernelW, g.Width) - Math.Max(w0, 0));
    }

    /// <summary>y = mean over each window.</summary>
    public static void AvgForward(ReadOnlySpan<float> x, Span<float> y, in Pool2dGeometry g, bool countIncludePad)
    {
        int ho = g.OutHeight, wo = g.OutWidth, plane = g.Height * g.Width;
        for (var p = 0; p < g.Batch * g.Channels; p++)
        {
            var src = x.Slice(p * plane, plane);
            for (var oh = 0; oh < ho; oh++)
            {
                var (h0, hs, he) = Window(oh, g.StrideH, g.PadH, g.KernelH, g.Height);
                for (var ow = 0; ow < wo; ow++)
                {
                    var (w0, ws, we) = Window(ow, g.StrideW, g.PadW, g.KernelW, g.Width);
                    var sum = 0f;
                    for (var h = hs; h < he; h++)
                    for (var w = ws; w < we; w++) sum += src[h * g.Width + w];
                    y[(p * ho + oh) * wo + ow] = sum / Divisor(h0, w0, g, countIncludePad);
                }
            }
        }
    }

    /// <summary>dx (overwritten): each output's gradient spread evenly over its window.</summary>
    public static void AvgBackward(ReadOnlySpan<float> dy, Span<float> dx, in Pool2dGeometry g, bool countIncludePad)
    {
        int ho = g.OutHeight, wo = g.OutWidth, plane = g.Height * g.Width;
        dx[..(g.Batch * g.Channels * plane)].Clear();
        for (var p = 0; p < g.Batch * g.Channels; p++)
        {
            var dst = dx.Slice(p * plane, plane);
            for (var oh = 0; oh < ho; oh++)
            {
                var (h0, hs, he) = Window(oh, g.StrideH, g.PadH, g.KernelH, g.Height);
                for (var ow = 0; ow < wo; ow++)
                {
                    var (w0, ws, we) = Window(ow, g.StrideW, g.PadW, g.KernelW, g.Width);
                    var share = dy[(p * ho + oh) * wo + ow] / Divisor(h0, w0, g, countIncludePad);
                    for (var h = hs; h < he; h++)
                    for (var w = ws; w < we; w++) dst[h * g.Width + w] += share;
                }
            }
        }
    }
}
