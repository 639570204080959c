namespace Nabla.Backends.Cpu;

/// <summary>
/// Elementwise kernels over strided operands: contiguous data goes straight to the operator's span
/// routine; other layouts are walked row by row (see <see cref="StridedLayout"/>) with span calls
/// where a row's strides allow and a scalar loop otherwise.
/// </summary>
internal static class Elementwise
{
    /// <summary>y = f(x) into a new contiguous tensor.</summary>
    public static Tensor Unary<TOp>(Tensor x) where TOp : IUnaryOperator
    {
        var source = x.IsContiguous ? x : Contiguous(x);
        var y = x.IsContiguous ? Tensor.Empty(x.Shape) : source; // the copy is private: transform it in place
        if (Partition.WorthParallel(y.Count)) UnaryJob<TOp>.Run(source.Storage.Data, source.Offset, y.Storage.Data, y.Offset, y.Count);
        else TOp.Invoke(source.Span, y.Span);
        return y;
    }

    /// <summary>y = f(a, b) into a new contiguous tensor; a and b have the output's shape (broadcast views allowed).</summary>
    public static Tensor Binary<TOp>(Tensor a, Tensor b) where TOp : IBinaryOperator
    {
        var y = Tensor.Empty(a.Shape);
        BinaryInto<TOp>(a, b, y);
        return y;
    }

    /// <summary>y = f(a, b) written into the (possibly strided) view y; y may alias a exactly (in-place ops).</summary>
    public static void BinaryInto<TOp>(Tensor a, Tensor b, Tensor y) where TOp : IBinaryOperator
    {
        if (a.IsContiguous && y.IsContiguous && (b.IsContiguous || IsSingleValue(b)))
        {
            var scalar = !b.IsContiguous || (b.Count == 1 && y.Count > 1);
            if (Partition.WorthParallel(y.Count))
            {
                BinaryJob<TOp>.Run(a.Storage.Data, a.Offset, b.Storage.Data, b.Offset, scalar, y.Storage.Data, y.Offset, y.Count);
            }
            else if (scalar) TOp.Invoke(a.Span, b.Storage.Data[b.Offset], y.Span);
            else TOp.Invoke(a.Span, b.Span, y.Span);
            return;
        }
        var layout = new StridedLayout(y.Shape.Dims, a, b, y);
        var n = layout.RowLength;
        int sa = layout.InnerStride(0), sb = layout.InnerStride(1), sy = layout.InnerStride(2);
        float[] da = a.Storage.Data, db = b.Storage.Data, dy = y.Storage.Data;
        Span<int> index = stackalloc int[layout.OuterRank];
        Span<int> off = stackalloc int[3];
        layout.Offsets.CopyTo(off);
        for (var r = 0; r < layout.Rows; r++)
        {
            if (sy == 1 && (sa == 1 || n == 1) && (sb == 1 || n == 1))
            {
                TOp.Invoke(da.AsSpan(off[0], n), db.AsSpan(off[1], n), dy.AsSpan(off[2], n));
            }
            else if (sy == 1 && sa == 1 && sb == 0)
            {
                TOp.Invoke(da.AsSpan(off[0], n), db[off[1]], dy.AsSpan(off[2], n));
            }
            else if (sy == 1 && sa == 0 && sb == 1)
            {
                TOp.Invoke(da[off[0]], db.AsSpan(off[1], n), dy.AsSpan(off[2], n));
            }
            else
            {
                for (int i = 0, ia = off[0], ib = off[1], iy = off[2]; i < n; i++, ia += sa, ib += sb, iy += sy)
                {
                    dy[iy] = TOp.Invoke(da[ia], db[ib]);
                }
            }
            layout.Advance(index, off);
        }
    }

    /// <summary>True when every element of the view is the same storage slot (all strides zero).</summary>
    private static bool IsSingleValue(Tensor t)
    {
        foreach (var s in t.StrideArray)
        {
            if (s != 0) return false;
        }
        return true;
    }

    /// <summary>A contiguous copy of x (any layout, including broadcast views).</summary>
    public static Tensor Contiguous(Tensor x)
    {
        var y = Tensor.Empty(x.Shape);
        CopyInto(x, y);
        return y;
    }

    /// <summary>Copies src into the same-shape view dst (src may be a broadcast view).</summary>
    public static void CopyInto(Tensor src, Tensor dst)
    {
        if (src.IsContiguous && dst.IsContiguous)
        {
            src.Span.CopyTo(dst.Span);
            return;
        }
        var layout = new StridedLayout(dst.Shape.Dims, src, dst);
        var n = layout.RowLength;
        int ss = layout.InnerStride(0), sd = layout.InnerStride(1);
        float[] ds = src.Storage.Data, dd = dst.Storage.Data;
        Span<int> index = stackalloc int[layout.OuterRank];
        Span<int> off = stackalloc int[2];
        layout.Offsets.CopyTo(off);
        for (var r = 0; r < layout.Rows; r++)
        {
            if (sd == 1 && ss == 1) ds.AsSpan(off[0], n).CopyTo(dd.AsSpan(off[1], n));
            else if (sd == 1 && ss == 0) dd.AsSpan(off[1], n).Fill(ds[off[0]]);
            else
            {
                for (int i = 0, js = off[0], jd = off[1]; i < n; i++, js += ss, jd += sd) dd[jd] = ds[js];
            }
            layout.Advance(index, off);
        }
    }

    /// <summary>Sets every element of the view to <paramref name="value"/>.</summary>
    public static void Fill(Tensor dst, float value)
    {
        if (dst.IsContiguous)
        {
            dst.Span.Fill(value);
            return;
        }
        var layout = new StridedLayout(dst.Shape.Dims, dst);
        var n = layout.RowLength;
        var sd = layout.InnerStride(0);
        var dd = dst.Storage.Data;
        Span<int> index = stackalloc int[layout.OuterRank];
        Span<int> off = stackalloc int[1];
        layout.Offsets.CopyTo(off);
        for (var r = 0; r < layout.Rows; r++)
        {
            if (sd == 1) dd.AsSpan(off[0], n).Fill(value);
            else
            {
                for (int i = 0, j = off[0]; i < n; i++, j += sd) dd[j] = value;
            }
            layout.Advance(index, off);
        }
    }

    /// <summary>y = cond ≠ 0 ? a : b, all three of the output's shape (broadcast views allowed).</summary>
    public static Tensor Where(Tensor cond, Tensor a, Tensor b)
    {
        var y = Tensor.Empty(a.Shape);
        var layout = new StridedLayout(y.Shape.Dims, cond, a, b, y);
        var n = layout.RowLength;
        int sc = layout.InnerStride(0), sa = layout.InnerStride(1), sb = layout.InnerStride(2), sy = layout.InnerStride(3);
        float[] dc = cond.Storage.Data, da = a.Storage.Data, db = b.Storage.Data, dy = y.Storage.Data;
        Span<int> index = stackalloc int[layout.OuterRank];
        Span<int> off = stackalloc int[4];
        layout.Offsets.CopyTo(off);
        for (var r = 0; r < layout.Rows; r++)
        {
            for (int i = 0, ic = off[0], ia = off[1], ib = off[2], iy = off[3]; i < n; i++, ic += sc, ia += sa, ib += sb, iy += sy)
            {
                dy[iy] = dc[ic] != 0f ? da[ia] : db[ib];
            }
            layout.Advance(index, off);
        }
        return y;
    }
}
