namespace Nabla.Tests.Tensors;

/// <summary>Tensors with a zero-size axis flow through every kind of op like NumPy's do.</summary>
public class EmptyTensorTests
{
    [Fact]
    public void Elementwise_ops_keep_the_empty_shape()
    {
        var e = Tensor.Zeros(0, 3);
        Assert.Equal(new Shape(0, 3), (e + 1f).Shape);
        Assert.Equal(new Shape(0, 3), (e + Tensor.Ones(3)).Shape);
        Assert.Equal(new Shape(0, 3), e.T.Exp().T.Shape);
        Assert.Empty(e.ToArray());
    }

    [Fact]
    public void Reductions_over_nothing_give_their_identity()
    {
        var e = Tensor.Zeros(0, 3);
        Assert.Equal([0f, 0f, 0f], e.Sum(0).ToArray());
        Assert.Equal([1f, 1f, 1f], e.Prod(0).ToArray());
        Assert.Equal(new Shape(0), e.Sum(1).Shape);
        Assert.Equal(0f, e.Sum().Item());
    }

    [Fact]
    public void Matrix_products_with_an_empty_inner_axis_are_zero()
    {
        Assert.Equal(new float[6], Tensor.Ones(2, 0).MatMul(Tensor.Ones(0, 3)).ToArray());
        Assert.Equal(new Shape(0, 3), Tensor.Ones(0, 4).MatMul(Tensor.Ones(4, 3)).Shape);
    }

    [Fact]
    public void Empty_slices_and_concatenation()
    {
        var x = Tensor.Arange(5);
        Assert.Equal(0, x.Slice(0, 3, 3).Count);
        Assert.Equal(0, x.Slice(0, 4, 1).Count);
        Assert.Equal([0f, 1f, 2f, 3f, 4f], Tensor.Concat([x.Slice(0, 2, 2), x]).ToArray());
    }
}
