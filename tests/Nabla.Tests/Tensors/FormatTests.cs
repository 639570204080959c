namespace Nabla.Tests.Tensors;

public class FormatTests
{
    [Fact]
    public void Whole_numbers_print_with_a_trailing_point()
    {
        Assert.Equal("tensor([[1., 2.],\n        [3., 4.]], shape=[2, 2])", Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2).ToString());
    }

    [Fact]
    public void Fractions_print_with_four_decimals_aligned()
    {
        Assert.Equal("tensor([ 0.5000, -1.2500, 10.0000], shape=[3])", Tensor.FromArray(0.5f, -1.25f, 10f).ToString());
        Assert.Equal("tensor(3.5000, shape=[])", Tensor.Scalar(3.5f).ToString());
    }

    [Fact]
    public void Very_large_or_small_values_use_scientific_notation()
    {
        Assert.Equal("tensor([1.0000e-06, 2.5000e+00], shape=[2])", Tensor.FromArray(1e-6f, 2.5f).ToString());
        Assert.Equal("tensor([nan, inf,  1.], shape=[3])", Tensor.FromArray(float.NaN, float.PositiveInfinity, 1f).ToString());
    }

    [Fact]
    public void Three_dimensional_tensors_separate_blocks_with_a_blank_line()
    {
        var s = Tensor.Arange(8).Reshape(2, 2, 2).ToString();
        Assert.Equal("tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]], shape=[2, 2, 2])", s);
    }

    [Fact]
    public void Large_tensors_are_abbreviated_and_formatted_by_the_values_shown()
    {
        // Shown: 0, 1, 2, 1997, 1998, 1999: magnitudes span more than 1000x, so scientific (as PyTorch).
        Assert.Equal("tensor([0.0000e+00, 1.0000e+00, 2.0000e+00, ..., 1.9970e+03, 1.9980e+03, 1.9990e+03], shape=[2000])", Tensor.Arange(2000).ToString());
        var m = Tensor.Arange(100).Expand(100, 100).ToString();
        var lines = m.Split('\n');
        Assert.Equal("tensor([[ 0.,  1.,  2., ..., 97., 98., 99.],", lines[0]);
        Assert.Equal("        [ 0.,  1.,  2., ..., 97., 98., 99.],", lines[1]);
        Assert.Equal("        ...,", lines[3]);
        Assert.EndsWith("shape=[100, 100])", m);
        Assert.Equal(7, lines.Length);
    }

    [Fact]
    public void Magnitudes_spanning_more_than_a_thousandfold_switch_to_scientific()
    {
        Assert.Equal("tensor([5.0000e-01, 1.0000e+03], shape=[2])", Tensor.FromArray(0.5f, 1000f).ToString());
        Assert.Equal("tensor([  0.5000, 100.0000], shape=[2])", Tensor.FromArray(0.5f, 100f).ToString());
        Assert.Equal("tensor([0., 0.], shape=[2])", Tensor.Zeros(2).ToString());
    }

    [Fact]
    public void Autograd_state_is_shown()
    {
        var x = Tensor.Ones(2);
        x.RequiresGrad = true;
        Assert.Equal("tensor([1., 1.], shape=[2], requiresGrad=true)", x.ToString());
        Assert.EndsWith("gradFn=Exp)", x.Exp().ToString());
    }

    [Fact]
    public void Values_come_out_as_arrays_and_items()
    {
        var x = Tensor.Arange(6).Reshape(2, 3).T;
        Assert.Equal([0f, 3f, 1f, 4f, 2f, 5f], x.ToArray());
        Assert.Equal(3f, x.Select(0, 0).Select(0, 1).Item());
    }

    [Fact]
    public void AllClose_uses_relative_and_absolute_tolerances()
    {
        var a = Tensor.FromArray(1f, 100f);
        Assert.True(a.AllClose(Tensor.FromArray(1f + 1e-6f, 100f + 1e-4f)));
        Assert.False(a.AllClose(Tensor.FromArray(1.001f, 100f)));
        Assert.True(a.AllClose(Tensor.FromArray(1.001f, 100f), rtol: 0f, atol: 1.1e-3f));
        Assert.False(a.AllClose(Tensor.FromArray(1f, 100f, 0f)));
        var nan = Tensor.FromArray(float.NaN);
        Assert.False(nan.AllClose(nan));
        Assert.True(nan.AllClose(nan, equalNan: true));
        Assert.True(Tensor.FromArray(float.PositiveInfinity).AllClose(Tensor.FromArray(float.PositiveInfinity)));
        Assert.True(a.ValueEquals(Tensor.FromArray(1f, 100f)));
        Assert.False(a.ValueEquals(Tensor.FromArray([1f, 100f], 2, 1)));
    }

    [Fact]
    public void Shapes_compare_by_value_and_broadcast()
    {
        Assert.Equal(new Shape(2, 3), new Shape(2, 3));
        Assert.NotEqual(new Shape(2, 3), new Shape(3, 2));
        Assert.Equal("[2, 3]", new Shape(2, 3).ToString());
        Assert.Equal(new Shape(5, 4, 3), Shape.Broadcast(new Shape(4, 1), new Shape(5, 1, 3)));
        Assert.Equal(1, Shape.Scalar.Count);
        Assert.Equal(0, new Shape(2, 0).Count);
        Assert.Equal(3, new Shape(2, 3)[-1]);
    }
}
