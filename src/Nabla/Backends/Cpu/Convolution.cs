using System.Runtime.Intrinsics;

namespace Nabla.Backends.Cpu;

/// <summary>Geometry of a 2-D convolution or pooling window: sizes, stride, padding, dilation, groups.</summary>
internal readonly record struct Conv2dGeometry(
    int Batch, int InChannels, int Height, int Width,
    int OutChannels, int KernelH, int KernelW,
    int StrideH = 1, int StrideW = 1, int PadH = 0, int PadW = 0, int DilationH = 1, int DilationW = 1, int Groups = 1)
{
    public int OutHeight => (Height + 2 * PadH - DilationH * (KernelH - 1) - 1) / StrideH + 1;
    public int OutWidth => (Width + 2 * PadW - DilationW * (KernelW - 1) - 1) / StrideW + 1;
    public int GroupIn => InChannels / Groups;
    public int GroupOut => OutChannels / Groups;

    /// <summary>Rows of the column matrix of one group: input channels × kernel positions.</summary>
    public int PatchSize => GroupIn * KernelH * KernelW;
}

/// <summary>
/// 2-D convolution as im2col + GEMM, one image at a time: each output position's receptive field
/// becomes a column, so the convolution of one image and group is one matrix product
/// W[Og, Cg·kh·kw] · cols[Cg·kh·kw, Ho·Wo]. An image's columns stay in cache, and images are the
/// parallel parts. The backward passes are two more products per image plus col2im, which scatters
/// columns back onto the image.
/// </summary>
internal static class Convolution
{
    /// <summary>cols[(c·kh + i)·kw + j, oh·Wo + ow] = x[c, oh·sh - ph + i·dh, ow·sw - pw + j·dw] (0 outside the image).</summary>
    /// <remarks>Row r of the columns starts at cols[r · ldCols], so one image can fill its slice of a batch-wide matrix.</remarks>
    public static unsafe void Im2Col(ReadOnlySpan<float> image, in Conv2dGeometry g, int channels, Span<float> cols, int ldCols)
    {
        int ho = g.OutHeight, wo = g.OutWidth, positions = ho * wo, plane = g.Height * g.Width;
        if (image.Length < channels * plane || cols.Length < ((channels * g.KernelH * g.KernelW - 1) * ldCols + positions))
        {
            throw new ArgumentException($"Im2Col: an image of {image.Length} floats or columns of {cols.Length} are too small for the geometry.");
        }
        fixed (float* x = image, columns = cols)
        {
            var row = 0;
            for (var c = 0; c < channels; c++)
            for (var i = 0; i < g.KernelH; i++)
            for (var j = 0; j < g.KernelW; j++, row++)
            {
                var dst = columns + (long)row * ldCols;
                var iw0 = -g.PadW + j * g.DilationW;
                // Output columns [lo, hi) read inside a row of the image (stride 1); the rest is padding.
                int lo = Math.Clamp(-iw0, 0, wo), hi = Math.Clamp(g.Width - iw0, lo, wo);
                for (var oh = 0; oh < ho; oh++, dst += wo)
                {
                    var ih = oh * g.StrideH - g.PadH + i * g.DilationH;
                    if ((uint)ih >= (uint)g.Height)
                    {
                        new Span<float>(dst, wo).Clear();
                        continue;
                    }
                    var src = x + c * plane + ih * g.Width;
                    if (g.StrideW == 1)
                    {
                        for (var ow = 0; ow < lo; ow++) dst[ow] = 0f;
                        CopyRun(src + iw0 + lo, dst + lo, hi - lo);
                        for (var ow = hi; ow < wo; ow++) dst[ow] = 0f;
                        continue;
                    }
                    for (var ow = 0; ow < wo; ow++)
                    {
                        var iw = iw0 + ow * g.StrideW;
                        dst[ow] = (uint)iw < (uint)g.Width ? src[iw] : 0f;
                    }
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="Im2Col"/>: adds every column entry back onto the image position it came from.</summary>
    public static unsafe void Col2ImAdd(ReadOnlySpan<float> cols, int ldCols, in Conv2dGeometry g, int channels, Span<float> image)
    {
        int ho = g.OutHeight, wo = g.OutWidth, positions = ho * wo, plane = g.Height * g.Width;
        if (image.Length < channels * plane || cols.Length < ((channels * g.KernelH * g.KernelW - 1) * ldCols + positions))
        {
            throw new ArgumentException($"Col2ImAdd: an image of {image.Length} floats or columns of {cols.Length} are too small for the geometry.");
        }
        fixed (float* x = image, columns = cols)
        {
            var row = 0;
            for (var c = 0; c < channels; c++)
            for (var i = 0; i < g.KernelH; i++)
            for (var j = 0; j < g.KernelW; j++, row++)
            {
                var src = columns + (long)row * ldCols;
                var iw0 = -g.PadW + j * g.DilationW;
                int lo = Math.Clamp(-iw0, 0, wo), hi = Math.Clamp(g.Width - iw0, lo, wo);
                for (var oh = 0; oh < ho; oh++, src += wo)
                {
                    var ih = oh * g.StrideH - g.PadH + i * g.DilationH;
                    if ((uint)ih >= (uint)g.Height) continue;
                    var dst = x + c * plane + ih * g.Width;
                    if (g.StrideW == 1)
                    {
                        AddRun(src + lo, dst + iw0 + lo, hi - lo);
                        continue;
                    }
                    for (var ow = 0; ow < wo; ow++)
                    {
                        var iw = iw0 + ow * g.StrideW;
                        if ((uint)iw < (uint)g.Width) dst[iw] += src[ow];
                    }
                }
            }
        }
    }

    /// <summary>dst[0..count) = src[0..count): rows of a small image are too short for a library copy's call to pay off.</summary>
    private static unsafe void CopyRun(float* src, float* dst, int count)
    {
        if (Vector256.IsHardwareAccelerated && count >= 8)
        {
            var i = 0;
            for (; i + 8 <= count; i += 8) Vector256.Store(Vector256.Load(src + i), dst + i);
            // The last vector may overlap the one before: copying twice is harmless.
            if (i < count) Vector256.Store(Vector256.Load(src + count - 8), dst + count - 8);
            return;
        }
        for (var i = 0; i < count; i++) dst[i] = src[i];
    }

    /// <summary>dst[0..count) += src[0..count).</summary>
    private static unsafe void AddRun(float* src, float* dst, int count)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= count; i += 8) Vector256.Store(Vector256.Load(dst + i) + Vector256.Load(src + i), dst + i);
        }
        for (; i < count; i++) dst[i] += src[i];
    }

    [ThreadStatic] private static float[]? t_columns;
    [ThreadStatic] private static float[]? t_columnGradients;

    /// <summary>This thread's scratch of at least <paramref name="length"/> floats (one image's column matrix), kept between calls.</summary>
    private static float[] Scratch(ref float[]? cache, int length)
    {
        if (cache is null || cache.Length < length) cache = GC.AllocateUninitializedArray<float>(length);
        return cache;
    }

    /// <summary>
    /// y[n, o] = b[o] + Σ W[o, ·] ⋆ x[n, group(o)]: x [N, C, H, W] and W [O, C/groups, kh, kw], contiguous.
    /// One image per part of the worker pool: its columns (cached in L2) go through W[Og, Cg·kh·kw] ·
    /// cols[Cg·kh·kw, Ho·Wo], written straight into y's rows for that image, on top of the bias.
    /// </summary>
    public static void Forward(float[] x, float[] w, float[]? bias, float[] y, Conv2dGeometry g) =>
        ParallelFor.Run(g.Batch, n => ForwardImage(x, w, bias, y, g, n));

    private static void ForwardImage(float[] x, float[] w, float[]? bias, float[] y, in Conv2dGeometry g, int n)
    {
        var positions = g.OutHeight * g.OutWidth;
        var imageSize = g.InChannels * g.Height * g.Width;
        var groupImage = g.GroupIn * g.Height * g.Width;
        var cols = Scratch(ref t_columns, g.PatchSize * positions);
        for (var grp = 0; grp < g.Groups; grp++)
        {
            var (source, sourceOffset) = Columns(x, n * imageSize + grp * groupImage, g, cols);
            var yOffset = (n * g.OutChannels + grp * g.GroupOut) * positions;
            if (bias is not null)
            {
                for (var o = 0; o < g.GroupOut; o++) y.AsSpan(yOffset + o * positions, positions).Fill(bias[grp * g.GroupOut + o]);
            }
            Product(g.GroupOut, positions, g.PatchSize,
                w, grp * g.GroupOut * g.PatchSize, g.PatchSize, 1,
                source, sourceOffset, positions,
                y, yOffset, positions, accumulate: bias is not null);
        }
    }

    /// <summary>C (+)= A·B for one image: B and C row-major, A through strides; unpacked where the CPU runs it natively.</summary>
    private static unsafe void Product(int m, int n, int k, float[] a, int aOffset, int ars, int acs, float[] b, int bOffset, int ldb,
        float[] c, int cOffset, int ldc, bool accumulate)
    {
        if (!Gemm.UnpackedProduct.Supported || m == 0 || n == 0 || k == 0)
        {
            Gemm.Gemm.Multiply(m, n, k, a, aOffset, ars, acs, b, bOffset, ldb, 1, c, cOffset, ldc, accumulate);
            return;
        }
        fixed (float* pa = &a[aOffset], pb = &b[bOffset], pc = &c[cOffset])
        {
            Gemm.UnpackedProduct.Multiply(m, n, k, pa, ars, acs, pb, ldb, pc, ldc, accumulate);
        }
    }

    /// <summary>
    /// One image group's column matrix [Cg·kh·kw, Ho·Wo]: the image itself for a 1×1, stride-1, unpadded
    /// kernel (no copy), else im2col into <paramref name="scratch"/>.
    /// </summary>
    private static (float[] Source, int Offset) Columns(float[] x, int offset, in Conv2dGeometry g, float[] scratch)
    {
        if (g is { KernelH: 1, KernelW: 1, StrideH: 1, StrideW: 1, PadH: 0, PadW: 0 }) return (x, offset);
        Im2Col(x.AsSpan(offset, g.GroupIn * g.Height * g.Width), g, g.GroupIn, scratch, g.OutHeight * g.OutWidth);
        return (scratch, 0);
    }

    /// <summary>
    /// Gradients of <see cref="Forward"/> given dy [N, O, Ho, Wo], each overwritten; pass null for any not wanted.
    /// One image per part: dx[n] = col2im(Wᵀ·dy[n]); dW's share of image n, dy[n]·cols[n]ᵀ, goes to its own
    /// slot and the shares are added in image order afterwards, so dW is bitwise the same for any thread count;
    /// db = Σ_{n,h,w} dy.
    /// </summary>
    public static void Backward(float[] x, float[] w, float[] dy, float[]? dx, float[]? dw, float[]? db, Conv2dGeometry g)
    {
        var weightSize = g.OutChannels * g.PatchSize;
        var shares = dw is null ? null : BufferPool.Rent(g.Batch * weightSize);
        if (dx is not null || shares is not null)
        {
            ParallelFor.Run(g.Batch, n => BackwardImage(x, w, dy, dx, shares, g, n));
        }
        if (dw is not null)
        {
            var total = dw.AsSpan(0, weightSize);
            shares.AsSpan(0, weightSize).CopyTo(total);
            for (var n = 1; n < g.Batch; n++) System.Numerics.Tensors.TensorPrimitives.Add(total, shares.AsSpan(n * weightSize, weightSize), total);
            BufferPool.Return(shares!);
        }
        if (db is not null)
        {
            var positions = g.OutHeight * g.OutWidth;
            for (var o = 0; o < g.OutChannels; o++)
            {
                double sum = 0;
                for (var n = 0; n < g.Batch; n++) sum += System.Numerics.Tensors.TensorPrimitives.Sum(dy.AsSpan((n * g.OutChannels + o) * positions, positions));
                db[o] = (float)sum;
            }
        }
    }

    private static unsafe void BackwardImage(float[] x, float[] w, float[] dy, float[]? dx, float[]? shares, in Conv2dGeometry g, int n)
    {
        var positions = g.OutHeight * g.OutWidth;
        var imageSize = g.InChannels * g.Height * g.Width;
        var groupImage = g.GroupIn * g.Height * g.Width;
        if (dx is not null) dx.AsSpan(n * imageSize, imageSize).Clear();
        for (var grp = 0; grp < g.Groups; grp++)
        {
            var dyOffset = (n * g.OutChannels + grp * g.GroupOut) * positions;
            var wOffset = grp * g.GroupOut * g.PatchSize;
            if (shares is not null)
            {
                var (source, sourceOffset) = Columns(x, n * imageSize + grp * groupImage, g, Scratch(ref t_columns, g.PatchSize * positions));
                fixed (float* pdy = &dy[dyOffset], pcols = &source[sourceOffset], pshare = &shares[n * g.OutChannels * g.PatchSize + wOffset])
                {
                    Gemm.RowDots.Multiply(g.GroupOut, g.PatchSize, positions, pdy, positions, pcols, positions, pshare, g.PatchSize);
                }
            }
            if (dx is not null)
            {
                var cols = Scratch(ref t_columnGradients, g.PatchSize * positions);
                Product(g.PatchSize, positions, g.GroupOut,
                    w, wOffset, 1, g.PatchSize,          // Wᵀ read in place
                    dy, dyOffset, positions,
                    cols, 0, positions, accumulate: false);
                Col2ImAdd(cols, positions, g, g.GroupIn, dx.AsSpan(n * imageSize + grp * groupImage, groupImage));
            }
        }
    }
}
