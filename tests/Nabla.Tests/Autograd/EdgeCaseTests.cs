using Nabla.Tests.Support;

namespace Nabla.Tests.Differentiation;

/// <summary>Edge cases where a plausible implementation silently differs from NumPy/PyTorch.</summary>
public class EdgeCaseTests
{
    [Theory]
    [InlineData(1e-10)]
    [InlineData(-3e-8)]
    [InlineData(1e-7)]
    [InlineData(1e-4)]
    [InlineData(0.01)]
    [InlineData(-0.3)]
    [InlineData(5.0)]
    public void Log1p_and_tanh_keep_full_relative_accuracy_near_zero(double x)
    {
        var xf = (double)(float)x;
        var log1p = Math.Log(1.0 + xf); // in double: 1 + x is exact for these x
        var tanh = Math.Tanh(xf);
        var t = Tensor.Full([40], (float)x);
        var strided = Tensor.Stack([t, t], 1).Select(1, 0); // exercises the in-place path
        foreach (var input in new[] { t, strided })
        {
            Assert.All(input.Log1p().ToArray(), v => Assert.Equal(log1p, v, Math.Abs(log1p) * 2e-6));
            Assert.All(input.Tanh().ToArray(), v => Assert.Equal(tanh, v, Math.Abs(tanh) * 2e-6));
        }
    }

    [Fact]
    public void An_index_modified_after_a_gather_is_reported_at_backward()
    {
        var w = Tensor.FromArray(1f, 2f, 3f).RequireGrad();
        var index = Tensor.FromArray(0f, 1f);
        var y = w.Gather(0, index);
        index.FillInPlace(2f);
        var error = Assert.Throws<InvalidOperationException>(() => y.Sum().Backward());
        Assert.Contains("Gather: a tensor of shape [2] saved for the backward pass was modified in place", error.Message);
    }

    [Fact]
    public void In_place_ops_read_an_overlapping_source_before_writing()
    {
        var u = Tensor.Arange(4).Reshape(2, 2);
        u.AddInPlace(u.T);
        Assert.Equal([0f, 3f, 3f, 6f], u.ToArray()); // NumPy: u += u.T
        var t = Tensor.Arange(5);
        t.Slice(0, 1).CopyFrom(t.Slice(0, 0, 4));
        Assert.Equal([0f, 0f, 1f, 2f, 3f], t.ToArray());
    }

    [Fact]
    public void AllClose_never_calls_infinity_close_to_a_finite_value()
    {
        Assert.False(Tensor.FromArray(1f).AllClose(Tensor.FromArray(float.PositiveInfinity)));
        Assert.False(Tensor.FromArray(float.PositiveInfinity).AllClose(Tensor.FromArray(float.NegativeInfinity)));
        Assert.False(Tensor.FromArray(-1e30f).AllClose(Tensor.FromArray(float.PositiveInfinity)));
        Assert.True(Tensor.FromArray(float.NegativeInfinity).AllClose(Tensor.FromArray(float.NegativeInfinity)));
    }

    [Fact]
    public void Retained_gradients_are_private_copies()
    {
        var w = Tensor.Ones(3).RequireGrad();
        var y = (w * 2f).RetainGrad();
        var z = (y * 1f).RetainGrad();
        z.Sum().Backward();
        Assert.NotSame(y.Grad, z.Grad);
        y.ZeroGrad();
        Assert.Equal([0f, 0f, 0f], y.Grad!.ToArray());
        Assert.Equal([1f, 1f, 1f], z.Grad!.ToArray());
    }

    [Fact]
    public void Zero_to_the_zero_has_zero_base_gradient()
    {
        var a = Tensor.FromArray(0f, 2f).RequireGrad();
        var b = Tensor.FromArray(0f, 3f).RequireGrad();
        a.Pow(b).Sum().Backward();
        Check.Close([0f, 12f], a.Grad!);
        Check.Close([0f, 8f * MathF.Log(2f)], b.Grad!, rtol: 1e-5);
    }

    [Fact]
    public void Functional_grad_answers_a_repeated_input_twice()
    {
        var w = Tensor.FromArray(1f, 2f).RequireGrad();
        var grads = Autograd.Grad([(w * w).Sum()], [w, w]);
        Check.Close([2f, 4f], grads[0]!);
        Check.Close([2f, 4f], grads[1]!);
    }

    [Fact]
    public void Disposing_a_NoGrad_scope_twice_does_not_switch_recording_off()
    {
        var scope = Autograd.NoGrad();
        scope.Dispose();
        scope.Dispose();
        default(Autograd.NoGradScope).Dispose();
        Assert.True(Autograd.IsEnabled);
        Assert.True((Tensor.Ones(1).RequireGrad() * 2f).RequiresGrad);
    }

    [Fact]
    public void ArgMax_and_ArgMin_take_the_first_of_signed_zero_ties()
    {
        Assert.Equal(0f, Tensor.FromArray(-0f, 0f).ArgMax().Item());
        Assert.Equal(0f, Tensor.FromArray(0f, -0f).ArgMin().Item());
        Assert.Equal(1f, Tensor.FromArray(-1f, 0f, -0f).ArgMax().Item());
    }

    [Fact]
    public void LogSumExp_is_stable_for_huge_values_infinities_and_empty_axes()
    {
        Assert.Equal(1000f + MathF.Log(2f), Tensor.FromArray(1000f, 1000f).LogSumExp().Item(), 3);
        Assert.Equal(-1000f + MathF.Log(2f), Tensor.FromArray(-1000f, -1000f).LogSumExp().Item(), 3);
        Assert.Equal(float.NegativeInfinity, Tensor.Full([3], float.NegativeInfinity).LogSumExp().Item());
        Assert.Equal(float.NegativeInfinity, Tensor.Zeros(0).LogSumExp().Item());
        Assert.Equal(new Shape(2, 1), Tensor.Zeros(2, 0).LogSumExp(1, keepDims: true).Shape);
    }

    [Fact]
    public void A_graph_without_saved_values_can_be_walked_again()
    {
        var w = Tensor.Ones(2).RequireGrad();
        var y = w + 1f;
        y.Sum().Backward();
        (y * 2f).Sum().Backward(); // y's node saved nothing: PyTorch allows this too
        Check.Close([3f, 3f], w.Grad!);
    }

    [Fact]
    public void Functional_grad_of_an_intermediate_leaves_the_rest_of_the_graph_intact()
    {
        var w = Tensor.FromArray(1f, 2f).RequireGrad();
        var h = w.Exp();
        var z = (h * h).Sum();
        Check.Close([2 * MathF.E, 2 * MathF.Exp(2f)], Autograd.Grad(z, h), rtol: 1e-5);
        h.Sum().Backward(); // the Exp node below h was not walked, so it still has its saved output
        Check.Close([MathF.E, MathF.Exp(2f)], w.Grad!, rtol: 1e-5);
    }
}
