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
    /// <summary>Runs <paramref name="body"/> over plane ranges [p0, p1), split over the worker pool when there is enough work.</summary>
    private static void ForPlanes(in Pool2dGeometry g, int workPerPlane, Action<int, int> body)
    {
        var planes = g.Batch * g.Channels;
        var parts = (long)planes * workPerPlane < 32 * 1024 ? 1 : Math.Min(planes, 4 * WorkerPool.Shared.Threads);
        if (parts <= 1)
        {
            body(0, planes);
            return;
        }
        ParallelFor.Run(parts, part => body((int)((long)planes * part / parts), (int)((long)planes * (part + 1) / parts)));
    }

    /// <summary>y = max over each window (padding never wins); argmax holds each maximum's index within its plane.</summary>
    public static void MaxForward(float[] x, float[] y, int[] argmax, Pool2dGeometry g) =>
        ForPlanes(g, g.Height * g.Width, (p0, p1) => MaxForward(x, y, argmax, g, p0, p1));

    private static void MaxForward(float[] x, float[] y, int[] argmax, in Pool2dGeometry g, int p0, int p1)
    {
        int ho = g.OutHeight, wo = g.OutWidth, plane = g.Height * g.Width;
        for (var p = p0; p < p1; p++)
        {
            var src = x.AsSpan(p * plane, plane);
            for (var oh = 0; oh < ho; oh++)
            {
                var (_, hs, he) = Window(oh, g.StrideH, g.PadH, g.KernelH, g.Height);
                for (var ow = 0; ow < wo; ow++)
                {
                    var (_, ws, we) = Window(ow, g.StrideW, g.PadW, g.KernelW, g.Width);
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
    public static void MaxBackward(float[] dy, int[] argmax, float[] dx, Pool2dGeometry g) =>
        ForPlanes(g, g.Height * g.Width, (p0, p1) => MaxBackward(dy, argmax, dx, g, p0, p1));

    private static void MaxBackward(float[] dy, int[] argmax, float[] dx, in Pool2dGeometry g, int p0, int p1)
    {
        int outPlane = g.OutHeight * g.OutWidth, plane = g.Height * g.Width;
        dx.AsSpan(p0 * plane, (p1 - p0) * plane).Clear();
        for (var p = p0; p < p1; p++)
        {
            var dst = dx.AsSpan(p * plane, plane);
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
    public static void AvgForward(float[] x, float[] y, Pool2dGeometry g, bool countIncludePad) =>
        ForPlanes(g, g.Height * g.Width, (p0, p1) => AvgForward(x, y, g, countIncludePad, p0, p1));

    private static void AvgForward(float[] x, float[] y, in Pool2dGeometry g, bool countIncludePad, int p0, int p1)
    {
        int ho = g.OutHeight, wo = g.OutWidth, plane = g.Height * g.Width;
        for (var p = p0; p < p1; p++)
        {
            var src = x.AsSpan(p * plane, plane);
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
    public static void AvgBackward(float[] dy, float[] dx, Pool2dGeometry g, bool countIncludePad) =>
        ForPlanes(g, g.Height * g.Width, (p0, p1) => AvgBackward(dy, dx, g, countIncludePad, p0, p1));

    private static void AvgBackward(float[] dy, float[] dx, in Pool2dGeometry g, bool countIncludePad, int p0, int p1)
    {
        int ho = g.OutHeight, wo = g.OutWidth, plane = g.Height * g.Width;
        dx.AsSpan(p0 * plane, (p1 - p0) * plane).Clear();
        for (var p = p0; p < p1; p++)
        {
            var dst = dx.AsSpan(p * plane, plane);
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
