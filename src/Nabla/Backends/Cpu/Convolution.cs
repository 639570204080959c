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
/// 2-D convolution as im2col + GEMM: each output position's receptive field becomes a column, so
/// the convolution of one image and group is one matrix product W[Og, Cg·kh·kw] · cols[Cg·kh·kw, Ho·Wo].
/// The backward passes are two more products plus col2im, which scatters columns back onto the image.
/// </summary>
internal static class Convolution
{
    /// <summary>cols[(c·kh + i)·kw + j, oh·Wo + ow] = x[c, oh·sh - ph + i·dh, ow·sw - pw + j·dw] (0 outside the image).</summary>
    /// <remarks>Row r of the columns starts at cols[r · ldCols], so one image can fill its slice of a batch-wide matrix.</remarks>
    public static void Im2Col(ReadOnlySpan<float> image, in Conv2dGeometry g, int channels, Span<float> cols, int ldCols)
    {
        int ho = g.OutHeight, wo = g.OutWidth, positions = ho * wo;
        var row = 0;
        for (var c = 0; c < channels; c++)
        {
            var plane = image.Slice(c * g.Height * g.Width, g.Height * g.Width);
            for (var i = 0; i < g.KernelH; i++)
            for (var j = 0; j < g.KernelW; j++, row++)
            {
                var dst = cols.Slice(row * ldCols, positions);
                for (var oh = 0; oh < ho; oh++)
                {
                    var ih = oh * g.StrideH - g.PadH + i * g.DilationH;
                    var dstRow = dst.Slice(oh * wo, wo);
                    if ((uint)ih >= (uint)g.Height)
                    {
                        dstRow.Clear();
                        continue;
                    }
                    var src = plane.Slice(ih * g.Width, g.Width);
                    var iw0 = -g.PadW + j * g.DilationW;
                    if (g.StrideW == 1)
                    {
                        // Output columns [lo, hi) read inside the row: copy them, zero the padding on either side.
                        int lo = Math.Clamp(-iw0, 0, wo), hi = Math.Clamp(g.Width - iw0, lo, wo);
                        dstRow[..lo].Clear();
                        src.Slice(iw0 + lo, hi - lo).CopyTo(dstRow[lo..hi]);
                        dstRow[hi..].Clear();
                        continue;
                    }
                    for (var ow = 0; ow < wo; ow++)
                    {
                        var iw = iw0 + ow * g.StrideW;
                        dstRow[ow] = (uint)iw < (uint)g.Width ? src[iw] : 0f;
                    }
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="Im2Col"/>: adds every column entry back onto the image position it came from.</summary>
    public static void Col2ImAdd(ReadOnlySpan<float> cols, int ldCols, in Conv2dGeometry g, int channels, Span<float> image)
    {
        int ho = g.OutHeight, wo = g.OutWidth, positions = ho * wo;
        var row = 0;
        for (var c = 0; c < channels; c++)
        {
            var plane = image.Slice(c * g.Height * g.Width, g.Height * g.Width);
            for (var i = 0; i < g.KernelH; i++)
            for (var j = 0; j < g.KernelW; j++, row++)
            {
                var src = cols.Slice(row * ldCols, positions);
                for (var oh = 0; oh < ho; oh++)
                {
                    var ih = oh * g.StrideH - g.PadH + i * g.DilationH;
                    if ((uint)ih >= (uint)g.Height) continue;
                    var dst = plane.Slice(ih * g.Width, g.Width);
                    var srcRow = src.Slice(oh * wo, wo);
                    var iw0 = -g.PadW + j * g.DilationW;
                    if (g.StrideW == 1)
                    {
                        int lo = Math.Clamp(-iw0, 0, wo), hi = Math.Clamp(g.Width - iw0, lo, wo);
                        var target = dst.Slice(iw0 + lo, hi - lo);
                        System.Numerics.Tensors.TensorPrimitives.Add(target, srcRow[lo..hi], target);
                        continue;
                    }
                    for (var ow = 0; ow < wo; ow++)
                    {
                        var iw = iw0 + ow * g.StrideW;
                        if ((uint)iw < (uint)g.Width) dst[iw] += srcRow[ow];
                    }
                }
            }
        }
    }

    /// <summary>
    /// y[n, o] = b[o] + Σ W[o, ·] ⋆ x[n, group(o)]: x [N, C, H, W] and W [O, C/groups, kh, kw], contiguous.
    /// All images of a group go through one GEMM: W[Og, Cg·kh·kw] · cols[Cg·kh·kw, N·Ho·Wo].
    /// </summary>
    /// <remarks>With <paramref name="keepColumns"/> and one group, returns the column matrix (a pooled buffer the caller gives
    /// back with <see cref="BufferPool.Return"/>) so the weight gradient need not rebuild it; otherwise returns null.</remarks>
    public static float[]? Forward(float[] x, float[] w, float[]? bias, float[] y, Conv2dGeometry g, bool keepColumns = false)
    {
        var positions = g.OutHeight * g.OutWidth;
        var width = g.Batch * positions;
        keepColumns &= g.Groups == 1;
        var cols = BufferPool.Rent(g.PatchSize * width);
        var product = BufferPool.Rent(g.GroupOut * width);
        var groupImage = g.GroupIn * g.Height * g.Width;
        var imageSize = g.InChannels * g.Height * g.Width;
        for (var grp = 0; grp < g.Groups; grp++)
        {
            var group = grp;
            ParallelFor.Run(g.Batch, n => Im2Col(x.AsSpan(n * imageSize + group * groupImage, groupImage), g, g.GroupIn, cols.AsSpan(n * positions), width));
            Gemm.Gemm.Multiply(g.GroupOut, width, g.PatchSize,
                w, grp * g.GroupOut * g.PatchSize, g.PatchSize, 1,
                cols, 0, width, 1,
                product, 0, width, accumulate: false);
            for (var n = 0; n < g.Batch; n++)
            {
                for (var o = 0; o < g.GroupOut; o++)
                {
                    var channel = grp * g.GroupOut + o;
                    var src = product.AsSpan(o * width + n * positions, positions);
                    var dst = y.AsSpan((n * g.OutChannels + channel) * positions, positions);
                    if (bias is null) src.CopyTo(dst);
                    else System.Numerics.Tensors.TensorPrimitives.Add(src, bias[channel], dst);
                }
            }
        }
        BufferPool.Return(product);
        if (keepColumns) return cols;
        BufferPool.Return(cols);
        return null;
    }

    /// <summary>
    /// Gradients of <see cref="Forward"/> given dy [N, O, Ho, Wo]: dx (overwritten) = col2im(Wᵀ·dy),
    /// dW (overwritten) = dy·colsᵀ, db (overwritten) = Σ_{n,h,w} dy; one GEMM each per group over the
    /// whole batch. Pass null for any gradient not wanted.
    /// </summary>
    /// <remarks><paramref name="columns"/>: the forward pass's column matrix (one group only), reused for dW instead of rebuilt.</remarks>
    public static void Backward(float[] x, float[] w, float[] dy, float[]? dx, float[]? dw, float[]? db, Conv2dGeometry g, float[]? columns = null)
    {
        var positions = g.OutHeight * g.OutWidth;
        var width = g.Batch * positions;
        if (columns is not null && g.Groups != 1) throw new ArgumentException("Convolution.Backward: saved columns are only kept for one group.");
        // Scratch for rebuilt columns and for Wᵀ·dy; not needed when the forward's columns are given and dx is not wanted.
        var cols = dx is null && columns is not null ? null : BufferPool.Rent(g.PatchSize * width);
        var dyGroup = BufferPool.Rent(g.GroupOut * width);
        var imageSize = g.InChannels * g.Height * g.Width;
        var groupImage = g.GroupIn * g.Height * g.Width;
        if (dx is not null) dx.AsSpan(0, g.Batch * imageSize).Clear();
        for (var grp = 0; grp < g.Groups; grp++)
        {
            var group = grp;
            var wOffset = grp * g.GroupOut * g.PatchSize;
            for (var n = 0; n < g.Batch; n++)
            {
                for (var o = 0; o < g.GroupOut; o++)
                {
                    dy.AsSpan((n * g.OutChannels + grp * g.GroupOut + o) * positions, positions).CopyTo(dyGroup.AsSpan(o * width + n * positions, positions));
                }
            }
            if (dw is not null)
            {
                var source = columns;
                if (source is null)
                {
                    source = cols!;
                    ParallelFor.Run(g.Batch, n => Im2Col(x.AsSpan(n * imageSize + group * groupImage, groupImage), g, g.GroupIn, source.AsSpan(n * positions), width));
                }
                Gemm.Gemm.Multiply(g.GroupOut, g.PatchSize, width,
                    dyGroup, 0, width, 1,
                    source, 0, 1, width,                 // colsᵀ read in place
                    dw, wOffset, g.PatchSize, accumulate: false);
            }
            if (dx is not null)
            {
                var scratch = cols!;
                Gemm.Gemm.Multiply(g.PatchSize, width, g.GroupOut,
                    w, wOffset, 1, g.PatchSize,          // Wᵀ read in place
                    dyGroup, 0, width, 1,
                    scratch, 0, width, accumulate: false);
                ParallelFor.Run(g.Batch, n => Col2ImAdd(scratch.AsSpan(n * positions), width, g, g.GroupIn, dx.AsSpan(n * imageSize + group * groupImage, groupImage)));
            }
        }
        if (db is not null)
        {
            for (var o = 0; o < g.OutChannels; o++)
            {
                double sum = 0;
                for (var n = 0; n < g.Batch; n++) sum += System.Numerics.Tensors.TensorPrimitives.Sum(dy.AsSpan((n * g.OutChannels + o) * positions, positions));
                db[o] = (float)sum;
            }
        }
        BufferPool.Return(dyGroup);
        if (cols is not null) BufferPool.Return(cols);
    }
}
