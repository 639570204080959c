using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
        if (g is { KernelH: 2, KernelW: 2, StrideH: 2, StrideW: 2, PadH: 0, PadW: 0 } && 2 * ho <= g.Height && 2 * wo <= g.Width)
        {
            MaxForward2x2(x, y, argmax, g.Width, plane, ho, wo, p0, p1);
            return;
        }
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

    /// <summary>
    /// The common 2×2, stride-2, unpadded window with every window inside the image. Four outputs at a
    /// time in vectors (the last group overlaps the one before when the row is not a multiple of four),
    /// with the general loop's scan order and NaN rule and no data-dependent branch: on real
    /// activations the winner is unpredictable, and mispredicted branches cost more than comparisons.
    /// </summary>
    private static void MaxForward2x2(float[] x, float[] y, int[] argmax, int width, int plane, int ho, int wo, int p0, int p1)
    {
        var vectors = Vector256.IsHardwareAccelerated && wo >= 4;
        for (var p = p0; p < p1; p++)
        {
            for (var oh = 0; oh < ho; oh++)
            {
                var origin = p * plane + 2 * oh * width;
                var output = (p * ho + oh) * wo;
                ref var top = ref x[origin];
                if (vectors && wo >= 8)
                {
                    for (var ow = 0; ; ow += 8)
                    {
                        ow = Math.Min(ow, wo - 8);
                        MaxOfEightWindows(ref top, width, 2 * ow, ref y[output + ow], ref argmax[output + ow], 2 * oh * width);
                        if (ow == wo - 8) break;
                    }
                    continue;
                }
                if (vectors)
                {
                    for (var ow = 0; ; ow += 4)
                    {
                        ow = Math.Min(ow, wo - 4);
                        MaxOfFourWindows(ref top, width, 2 * ow, ref y[output + ow], ref argmax[output + ow], 2 * oh * width);
                        if (ow == wo - 4) break;
                    }
                    continue;
                }
                for (var ow = 0; ow < wo; ow++)
                {
                    var w = 2 * ow;
                    var index = w;
                    index = Pick(Wins(Unsafe.Add(ref top, w + 1), Unsafe.Add(ref top, index)), w + 1, index);
                    index = Pick(Wins(Unsafe.Add(ref top, width + w), Unsafe.Add(ref top, index)), width + w, index);
                    index = Pick(Wins(Unsafe.Add(ref top, width + w + 1), Unsafe.Add(ref top, index)), width + w + 1, index);
                    y[output + ow] = Unsafe.Add(ref top, index);
                    argmax[output + ow] = 2 * oh * width + index;
                }
            }
        }
    }

    /// <summary>Column w.. of a row pair: the maxima of windows w/2 .. w/2+7 and their indices (offset by <paramref name="rowIndex"/>).</summary>
    private static void MaxOfEightWindows(ref float top, int width, int w, ref float y, ref int argmax, int rowIndex)
    {
        var evensThenOdds = Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7);
        var upperA = Vector256.Shuffle(Vector256.LoadUnsafe(ref top, (nuint)w), evensThenOdds);
        var upperB = Vector256.Shuffle(Vector256.LoadUnsafe(ref top, (nuint)(w + 8)), evensThenOdds);
        var lowerA = Vector256.Shuffle(Vector256.LoadUnsafe(ref top, (nuint)(width + w)), evensThenOdds);
        var lowerB = Vector256.Shuffle(Vector256.LoadUnsafe(ref top, (nuint)(width + w + 8)), evensThenOdds);
        var best = Vector256.Create(upperA.GetLower(), upperB.GetLower());
        var index = Vector256<int>.Zero;
        Take(ref best, ref index, Vector256.Create(upperA.GetUpper(), upperB.GetUpper()), 1);
        Take(ref best, ref index, Vector256.Create(lowerA.GetLower(), lowerB.GetLower()), width);
        Take(ref best, ref index, Vector256.Create(lowerA.GetUpper(), lowerB.GetUpper()), width + 1);
        best.StoreUnsafe(ref y);
        (index + Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14) + Vector256.Create(rowIndex + w)).StoreUnsafe(ref argmax);
    }

    /// <summary>Where a candidate wins (larger, or the first NaN), it becomes the best and its offset the index.</summary>
    private static void Take(ref Vector256<float> best, ref Vector256<int> index, Vector256<float> candidate, int offset)
    {
        var isNaN = ~Vector256.Equals(candidate, candidate);
        var bestIsNaN = ~Vector256.Equals(best, best);
        var wins = Vector256.GreaterThan(candidate, best) | Vector256.AndNot(isNaN, bestIsNaN);
        best = Vector256.ConditionalSelect(wins, candidate, best);
        index = Vector256.ConditionalSelect(wins.AsInt32(), Vector256.Create(offset), index);
    }

    /// <summary>Column w.. of a row pair: the maxima of windows w/2 .. w/2+3 and their indices (offset by <paramref name="rowIndex"/>).</summary>
    private static void MaxOfFourWindows(ref float top, int width, int w, ref float y, ref int argmax, int rowIndex)
    {
        var evensThenOdds = Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7);
        var upper = Vector256.Shuffle(Vector256.LoadUnsafe(ref top, (nuint)w), evensThenOdds);
        var lower = Vector256.Shuffle(Vector256.LoadUnsafe(ref top, (nuint)(width + w)), evensThenOdds);
        var best = upper.GetLower();
        var index = Vector128<int>.Zero;
        Take(ref best, ref index, upper.GetUpper(), 1);
        Take(ref best, ref index, lower.GetLower(), width);
        Take(ref best, ref index, lower.GetUpper(), width + 1);
        best.StoreUnsafe(ref y);
        (index + Vector128.Create(0, 2, 4, 6) + Vector128.Create(rowIndex + w)).StoreUnsafe(ref argmax);
    }

    /// <summary><see cref="Take(ref Vector256{float}, ref Vector256{int}, Vector256{float}, int)"/> on four lanes (the upper four are ignored).</summary>
    private static void Take(ref Vector128<float> best, ref Vector128<int> index, Vector128<float> candidate, int offset)
    {
        var wideBest = best.ToVector256Unsafe();
        var wideIndex = index.ToVector256Unsafe();
        Take(ref wideBest, ref wideIndex, candidate.ToVector256Unsafe(), offset);
        best = wideBest.GetLower();
        index = wideIndex.GetLower();
    }

    /// <summary>v replaces the window's best so far when larger, or when it is the window's first NaN.</summary>
    private static bool Wins(float v, float best) => (v > best) | (float.IsNaN(v) & !float.IsNaN(best));

    /// <summary>take ? a : b without a branch.</summary>
    private static int Pick(bool take, int a, int b) => b ^ ((a ^ b) & -Unsafe.BitCast<bool, byte>(take));

    /// <summary>dx (overwritten): each output's gradient goes to the input element that was its maximum.</summary>
    public static void MaxBackward(float[] dy, int[] argmax, float[] dx, Pool2dGeometry g) =>
        ForPlanes(g, g.Height * g.Width, (p0, p1) => MaxBackward(dy, argmax, dx, g, p0, p1));

    private static void MaxBackward(float[] dy, int[] argmax, float[] dx, in Pool2dGeometry g, int p0, int p1)
    {
        int outPlane = g.OutHeight * g.OutWidth, plane = g.Height * g.Width;
        if (g is { KernelH: 2, KernelW: 2, StrideH: 2, StrideW: 2, PadH: 0, PadW: 0 } && 2 * g.OutHeight <= g.Height && 2 * g.OutWidth <= g.Width
            && g.OutWidth >= 4 && Vector256.IsHardwareAccelerated)
        {
            MaxBackward2x2(dy, argmax, dx, g.Width, plane, g.Height, g.OutHeight, g.OutWidth, p0, p1);
            return;
        }
        dx.AsSpan(p0 * plane, (p1 - p0) * plane).Clear();
        for (var p = p0; p < p1; p++)
        {
            var dst = dx.AsSpan(p * plane, plane);
            for (var o = p * outPlane; o < (p + 1) * outPlane; o++) dst[argmax[o]] += dy[o];
        }
    }

    /// <summary>
    /// Backward of the 2×2, stride-2 windows in one pass that writes every element of dx once: four windows at a
    /// time, each window's gradient goes to the corner its arg-max names and zeros to the other three (no clearing
    /// pass, no scattered adds). Rows and columns no window covers (odd sizes) are zeroed.
    /// </summary>
    private static void MaxBackward2x2(float[] dy, int[] argmax, float[] dx, int width, int plane, int height, int ho, int wo, int p0, int p1)
    {
        var pairs = Vector256.Create(0, 0, 1, 1, 2, 2, 3, 3);
        var topCorners = Vector256.Create(0, 1, 0, 1, 0, 1, 0, 1);
        var bottomCorners = topCorners + Vector256.Create(width);
        for (var p = p0; p < p1; p++)
        {
            for (var oh = 0; oh < ho; oh++)
            {
                var rowIndex = 2 * oh * width;
                var top = p * plane + rowIndex;
                var output = (p * ho + oh) * wo;
                for (var ow = 0; ; ow += 4)
                {
                    // The last group overlaps the one before when wo is not a multiple of four: it writes the same values.
                    ow = Math.Min(ow, wo - 4);
                    var g = Vector128.LoadUnsafe(ref dy[output + ow]);
                    // Each window's arg-max relative to its top-left corner: 0, 1, width or width + 1.
                    var corner = Vector128.LoadUnsafe(ref argmax[output + ow]) - Vector128.Create(0, 2, 4, 6) - Vector128.Create(rowIndex + 2 * ow);
                    var gradients = Vector256.Shuffle(Vector256.Create(g, g), pairs);
                    var corners = Vector256.Shuffle(Vector256.Create(corner, corner), pairs);
                    Vector256.ConditionalSelect(Vector256.Equals(corners, topCorners).AsSingle(), gradients, Vector256<float>.Zero)
                        .StoreUnsafe(ref dx[top + 2 * ow]);
                    Vector256.ConditionalSelect(Vector256.Equals(corners, bottomCorners).AsSingle(), gradients, Vector256<float>.Zero)
                        .StoreUnsafe(ref dx[top + width + 2 * ow]);
                    if (ow == wo - 4) break;
                }
                for (var w = 2 * wo; w < width; w++)
                {
                    dx[top + w] = 0f;
                    dx[top + width + w] = 0f;
                }
            }
            if (2 * ho < height) dx.AsSpan(p * plane + 2 * ho * width, (height - 2 * ho) * width).Clear();
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
