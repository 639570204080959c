namespace Nabla.Tests.Tensors;

/// <summary>Views share storage (writes show through), and copy only when strides make a view impossible.</summary>
public class ViewTests
{
    private static Tensor Grid() => Tensor.Arange(12).Reshape(3, 4);

    [Fact]
    public void Strides_and_offsets_follow_numpy()
    {
        var x = Grid();
        Assert.Equal([4, 1], x.Strides.ToArray());
        Assert.True(x.IsContiguous);
        var t = x.T;
        Assert.Equal([1, 4], t.Strides.ToArray());
        Assert.False(t.IsContiguous);
        var s = x.Slice(1, 1, null, 2);
        Assert.Equal([4, 2], s.Strides.ToArray());
        Assert.Equal(1, s.Offset);
        var e = Tensor.Ones(1, 4).Expand(5, 4);
        Assert.Equal([0, 1], e.Strides.ToArray());
        var row = x.Select(0, 2);
        Assert.Equal(8, row.Offset);
        Assert.True(row.IsContiguous);
    }

    [Fact]
    public void Writes_through_views_reach_the_base()
    {
        var x = Grid();
        x.T.Select(0, 1).FillInPlace(-1f);          // column 1
        x.Slice(0, 0, null, 2).Narrow(1, 3, 1).FillInPlace(9f); // rows 0 and 2, column 3
        x.Reshape(12).Narrow(0, 0, 1).CopyFrom(Tensor.Scalar(42f));
        Assert.Equal([42f, -1f, 2f, 9f, 4f, -1f, 6f, 7f, 8f, -1f, 10f, 9f], x.ToArray());
    }

    [Fact]
    public void Reshape_is_a_view_when_possible_and_a_copy_otherwise()
    {
        var x = Grid();
        var view = x.Reshape(2, 6);
        view.FillInPlace(0f);
        Assert.All(x.ToArray(), v => Assert.Equal(0f, v));

        var y = Grid();
        var transposedThenFlat = y.T.Reshape(12); // needs a copy
        Assert.Equal([0f, 4f, 8f, 1f, 5f, 9f, 2f, 6f, 10f, 3f, 7f, 11f], transposedThenFlat.ToArray());
        transposedThenFlat.FillInPlace(5f);
        Assert.Equal(Tensor.Arange(12).ToArray(), y.ToArray());

        // A step slice along the outer axis still views as a flat run of rows.
        var z = Tensor.Arange(24).Reshape(6, 4);
        var everyOtherRow = z.Slice(0, 0, null, 2).Reshape(3, 2, 2);
        Assert.False(everyOtherRow.IsContiguous);
        everyOtherRow.FillInPlace(-1f);
        Assert.Equal(-1f, z[2, 3]);
        Assert.Equal(5f, z[1, 1]);
    }

    [Fact]
    public void Squeeze_unsqueeze_and_flatten_never_copy()
    {
        var x = Grid().T; // non-contiguous
        var u = x.Unsqueeze(1);
        Assert.Equal(new Shape(4, 1, 3), u.Shape);
        u.Squeeze(1).Select(0, 0).FillInPlace(-3f);
        Assert.Equal(-3f, x[0, 2]);
        Assert.Equal(new Shape(12), Grid().Flatten().Shape);
        Assert.Equal(new Shape(2, 12), Tensor.Zeros(2, 3, 4).Flatten(1).Shape);
    }

    [Fact]
    public void Contiguous_returns_itself_when_already_contiguous()
    {
        var x = Grid();
        Assert.Same(x, x.Contiguous());
        var t = x.T.Contiguous();
        Assert.True(t.IsContiguous);
        Assert.Equal([0f, 4f, 8f, 1f, 5f, 9f, 2f, 6f, 10f, 3f, 7f, 11f], t.ToArray());
    }

    [Fact]
    public void Split_and_chunk_return_views()
    {
        var x = Tensor.Arange(10);
        var parts = x.Split(4);
        Assert.Equal([4, 4, 2], parts.Select(p => p.Count));
        parts[2].FillInPlace(0f);
        Assert.Equal(0f, x[9]);
        Assert.Equal([4, 4, 2], Tensor.Arange(10).Chunk(3).Select(p => p.Count));
        Assert.Equal([2, 2, 2], Tensor.Arange(6).Chunk(3).Select(p => p.Count));
    }

    [Fact]
    public void Stacking_and_concatenating_copy_into_a_new_tensor()
    {
        var a = Tensor.Ones(2, 2);
        var b = Tensor.Zeros(2, 2);
        var s = Tensor.Stack([a, b]);
        Assert.Equal(new Shape(2, 2, 2), s.Shape);
        a.FillInPlace(3f);
        Assert.Equal(1f, s[0, 0, 0]);
        Assert.Equal(new Shape(2, 4), Tensor.Concat([a, b], 1).Shape);
    }

    [Fact]
    public void Padding_surrounds_with_a_constant()
    {
        var p = Tensor.Ones(1, 2).Pad([(0, 1), (1, 1)], value: 0f);
        Assert.Equal(new Shape(2, 4), p.Shape);
        Assert.Equal([0f, 1f, 1f, 0f, 0f, 0f, 0f, 0f], p.ToArray());
    }

    [Fact]
    public void Broadcasting_combines_without_copying_inputs()
    {
        var matrix = Tensor.Arange(6).Reshape(2, 3);
        Assert.Equal([0f, 2f, 4f, 6f, 8f, 10f], (matrix * 2f).ToArray());        // matrix times scalar
        Assert.Equal([10f, 21f, 32f, 13f, 24f, 35f], (matrix + Tensor.FromArray(10f, 20f, 30f)).ToArray()); // plus a row
        Assert.Equal([0f, 1f, 2f, 103f, 104f, 105f], (matrix + Tensor.FromArray([0f, 100f], 2, 1)).ToArray()); // plus a column
        Assert.Equal(new Shape(2, 4, 3), (Tensor.Ones(2, 1, 3) + Tensor.Ones(4, 1)).Shape);
    }

    [Fact]
    public void Indexing_ops_pick_and_scatter()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        Assert.Equal([3f, 1f, 5f, 5f], x.Gather(1, Tensor.FromArray([2f, 0f, 1f, 1f], 2, 2)).ToArray());
        Assert.Equal([4f, 5f, 6f, 1f, 2f, 3f], x.IndexSelect(0, 1, 0).ToArray());
        var added = Tensor.Zeros(3).ScatterAdd(0, Tensor.FromArray(0f, 2f, 0f), Tensor.FromArray(1f, 2f, 3f));
        Assert.Equal([4f, 0f, 2f], added.ToArray());
        Assert.Equal([1f, 0f, 3f, 4f, 0f, 6f], x.MaskedFill(Tensor.FromArray(0f, 1f, 0f).Expand(2, 3).Eq(1f) * x.Gt(1f), 0f).ToArray());
        Assert.Equal([0f, 1f, 0f, 0f, 0f, 1f], Tensor.FromArray(1f, 2f).OneHot(3).ToArray());
        Assert.Equal([10f, 2f, 10f], Tensor.Where(Tensor.FromArray(1f, 0f, 1f), Tensor.Scalar(10f), Tensor.FromArray(1f, 2f, 3f)).ToArray());
    }

    [Fact]
    public void Comparisons_give_zero_one_masks()
    {
        var x = Tensor.FromArray(1f, 2f, 3f);
        Assert.Equal([0f, 1f, 0f], x.Eq(2f).ToArray());
        Assert.Equal([1f, 0f, 1f], x.Ne(2f).ToArray());
        Assert.Equal([1f, 0f, 0f], x.Lt(2f).ToArray());
        Assert.Equal([1f, 1f, 0f], x.Le(2f).ToArray());
        Assert.Equal([0f, 0f, 1f], x.Gt(2f).ToArray());
        Assert.Equal([0f, 1f, 1f], x.Ge(2f).ToArray());
        Assert.False(x.Eq(2f).RequiresGrad);
        Assert.Equal([0f, 0f], Tensor.FromArray(float.NaN, 1f).Eq(Tensor.FromArray(float.NaN, 2f)).ToArray());
    }

    [Fact]
    public void Long_rows_take_the_simd_paths_and_agree_with_scalar_math()
    {
        // 1000 elements: vector loops plus a remainder; non-contiguous twin takes the scalar loops.
        var x = Tensor.Randn([1000], new Generator(9));
        var y = Tensor.Randn([1000], new Generator(10));
        var xs = x.ToArray();
        var ys = y.ToArray();
        var lt = x.Lt(y).ToArray();
        var sign = x.Sign().ToArray();
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(xs[i] < ys[i] ? 1f : 0f, lt[i]);
            Assert.Equal(MathF.Sign(xs[i]), sign[i]);
        }
        var strided = Tensor.Stack([x, y], 1).Select(1, 0);
        Assert.Equal(lt, strided.Lt(Tensor.Stack([x, y], 1).Select(1, 1)).ToArray());
    }
}
