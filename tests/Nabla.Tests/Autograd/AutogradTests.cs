using Nabla.Tests.Support;

namespace Nabla.Tests.Differentiation;

public class AutogradTests
{
    private static Tensor Leaf(params float[] values) => Tensor.FromArray(values).RequireGrad();

    [Fact]
    public void Broadcast_gradients_sum_back_to_each_operands_shape()
    {
        var a = Tensor.FromArray([1f, 2f, 3f], 3, 1);
        var b = Tensor.FromArray([10f, 20f, 30f, 40f], 4);
        a.RequiresGrad = true;
        b.RequiresGrad = true;
        var y = a * b; // [3, 4]
        y.Sum().Backward();
        Check.Close([100f, 100f, 100f], a.Grad!);   // Σ_j b_j
        Check.Close([6f, 6f, 6f, 6f], b.Grad!);      // Σ_i a_i
        Assert.Equal(new Shape(3, 1), a.Grad!.Shape);
    }

    [Fact]
    public void Gradients_accumulate_across_backward_calls_until_zeroed()
    {
        var x = Leaf(1f, 2f, 3f);
        (x * x).Sum().Backward();
        Check.Close([2f, 4f, 6f], x.Grad!);
        (x * x).Sum().Backward();
        Check.Close([4f, 8f, 12f], x.Grad!);
        x.ZeroGrad();
        Check.Close([0f, 0f, 0f], x.Grad!);
        (x * 3f).Sum().Backward();
        Check.Close([3f, 3f, 3f], x.Grad!);
    }

    [Fact]
    public void Zeroed_gradients_keep_their_buffer_and_take_the_next_gradient_whole()
    {
        var x = Leaf(1f, 2f, 3f);
        (x * x).Sum().Backward();
        var kept = x.Grad!;
        x.ZeroGrad();
        // No read in between: the next backward lands in the same buffer, as if added to zeros; a broadcast
        // gradient (from Sum) and a second backward after it must both come out right.
        (x * 3f).Sum().Backward();
        Assert.Same(kept, x.Grad);
        Check.Close([3f, 3f, 3f], x.Grad!);
        x.Sum().Backward();
        Check.Close([4f, 4f, 4f], x.Grad!);
        x.ZeroGrad();
        var unused = Leaf(5f);
        (unused * 2f).Backward();
        Check.Close([0f, 0f, 0f], x.Grad!);   // zeroed and never reached by a backward: reads as zeros
        Assert.Same(kept, x.Grad);
    }

    [Fact]
    public void A_value_used_twice_receives_the_sum_of_both_paths()
    {
        var x = Leaf(0.5f, -1f);
        (x * x + x.Exp()).Sum().Backward();
        Check.Close([2 * 0.5f + MathF.Exp(0.5f), -2f + MathF.Exp(-1f)], x.Grad!);
    }

    [Fact]
    public void NoGrad_stops_recording_and_nests()
    {
        var x = Leaf(1f, 2f);
        Assert.True(Autograd.IsEnabled);
        using (Autograd.NoGrad())
        {
            using (Autograd.NoGrad())
            {
                Assert.False((x * 2f).RequiresGrad);
            }
            var y = x * 2f;
            Assert.False(Autograd.IsEnabled);
            Assert.False(y.RequiresGrad);
            Assert.True(y.IsLeaf);
            Assert.Null(y.GradFn);
        }
        Assert.True(Autograd.IsEnabled);
        Assert.True((x * 2f).RequiresGrad);
    }

    [Fact]
    public void Detach_shares_storage_but_cuts_the_graph()
    {
        var x = Leaf(1f, 2f, 3f);
        var d = x.Detach();
        Assert.False(d.RequiresGrad);
        Assert.True(d.IsLeaf);
        (x * d).Sum().Backward();
        Check.Close([1f, 2f, 3f], x.Grad!); // d is a constant: d(x·c)/dx = c, not 2x
        using (Autograd.NoGrad()) d.FillInPlace(7f);
        Check.Close([7f, 7f, 7f], x.Detach());
    }

    [Fact]
    public void The_gradient_check_catches_a_missing_factor_of_two()
    {
        // x · detach(x) has autograd gradient x, while the function's true derivative is 2x.
        var inputs = new[] { Tensor.FromArray([0.7f, -1.3f, 2f]) };
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Check.Gradients(x => x[0] * x[0].Detach(), inputs, "wrong rule"));
        Check.Gradients(x => x[0] * x[0], inputs, "right rule");
    }

    [Fact]
    public void Leaves_and_non_leaves()
    {
        var x = Leaf(2f);
        var y = x * 3f;
        var z = y.Exp();
        Assert.True(x.IsLeaf);
        Assert.False(y.IsLeaf);
        Assert.Equal("Mul", y.GradFn!.Name);
        Assert.Equal("Exp", z.GradFn!.Name);
        var error = Assert.Throws<InvalidOperationException>(() => y.RequiresGrad = false);
        Assert.Contains("RequiresGrad can only be set on leaf tensors; this tensor was produced by Mul", error.Message);
        y.RetainGrad();
        z.Backward();
        Assert.Null(z.Grad);
        Check.Close([MathF.Exp(6f)], y.Grad!.Reshape(1), rtol: 1e-5);
        Check.Close([3f * MathF.Exp(6f)], x.Grad!, rtol: 1e-5);
    }

    [Fact]
    public void A_second_backward_through_a_freed_graph_is_a_clear_error()
    {
        var x = Leaf(1f, 2f);
        var loss = (x.Exp() * x).Sum();
        loss.Backward();
        var error = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Contains("backward through the graph a second time", error.Message);
        Assert.Contains("retainGraph: true", error.Message);
    }

    [Fact]
    public void A_retained_graph_can_be_walked_twice()
    {
        var x = Leaf(1f, 2f);
        var loss = (x.Exp() * x).Sum();
        loss.Backward(retainGraph: true);
        loss.Backward();
        // d/dx x·e^x = e^x (1 + x), twice.
        Check.Close([2 * MathF.E * 2, 2 * MathF.Exp(2) * 3], x.Grad!, rtol: 1e-5);
    }

    [Fact]
    public void An_in_place_write_to_a_saved_value_is_reported_at_backward()
    {
        var w = Leaf(1f, 2f);
        var x = Tensor.FromArray(3f, 4f);
        var y = w * x;          // saves x for dw = dy · x
        x.MulInPlace(2f);       // overwrites the saved value
        var error = Assert.Throws<InvalidOperationException>(() => y.Sum().Backward());
        Assert.Contains("Mul: a tensor of shape [2] saved for the backward pass was modified in place afterwards", error.Message);
    }

    [Fact]
    public void In_place_writes_to_leaves_that_require_grad_need_NoGrad()
    {
        var w = Leaf(1f, 2f);
        var error = Assert.Throws<InvalidOperationException>(() => w.AddInPlace(Tensor.Ones(2)));
        Assert.Contains("AddInPlace: a leaf tensor that requires grad cannot be modified in place", error.Message);
        var y = w * 2f;
        error = Assert.Throws<InvalidOperationException>(() => y.FillInPlace(0f));
        Assert.Contains("FillInPlace: in-place writes to a tensor produced by Mul are not differentiable", error.Message);
        using (Autograd.NoGrad()) w.AddInPlace(Tensor.Ones(2), alpha: -0.5f);
        Check.Close([0.5f, 1.5f], w.Detach());
    }

    [Fact]
    public void Backward_needs_a_gradient_for_non_scalars_and_applies_it()
    {
        var x = Leaf(1f, 2f, 3f);
        var y = x * x;
        var error = Assert.Throws<ArgumentException>(() => y.Backward());
        Assert.Contains("Backward: a gradient can be created implicitly only for a scalar output; output 0 has shape [3]", error.Message);
        error = Assert.Throws<ArgumentException>(() => y.Backward(Tensor.Ones(2)));
        Assert.Contains("Backward: gradient 0 has shape [2] but its output has shape [3]", error.Message);
        y.Backward(Tensor.FromArray(1f, 10f, 100f));
        Check.Close([2f, 40f, 600f], x.Grad!); // vector-Jacobian product
    }

    [Fact]
    public void Backward_on_a_tensor_that_needs_no_grad_is_a_clear_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Tensor.Ones(2).Sum().Backward());
        Assert.Contains("does not require grad and has no GradFn", error.Message);
    }

    [Fact]
    public void Functional_grad_returns_gradients_without_touching_Grad()
    {
        var x = Leaf(1f, 2f);
        var y = Leaf(3f, 4f);
        var z = (x * y + y.Sin()).Sum();
        var grads = Autograd.Grad([z], [x, y]);
        Check.Close([3f, 4f], grads[0]!);
        Check.Close([1f + MathF.Cos(3f), 2f + MathF.Cos(4f)], grads[1]!);
        Assert.Null(x.Grad);
        Assert.Null(y.Grad);
    }

    [Fact]
    public void Functional_grad_of_an_intermediate_tensor()
    {
        var x = Leaf(1f, 2f);
        var h = x * 3f;
        var z = (h * h).Sum();
        Check.Close([6f, 12f], Autograd.Grad(z, h)); // dz/dh = 2h
    }

    [Fact]
    public void Functional_grad_reports_unused_inputs()
    {
        var x = Leaf(1f);
        var unused = Leaf(2f);
        var z = (x * 2f).Sum();
        var error = Assert.Throws<InvalidOperationException>(() => Autograd.Grad([z], [x, unused], retainGraph: true));
        Assert.Contains("input 1 (shape [1]) was not used", error.Message);
        var grads = Autograd.Grad([z], [x, unused], allowUnused: true);
        Assert.Null(grads[1]);
        var noGrad = Assert.Throws<ArgumentException>(() => Autograd.Grad([z], [Tensor.Ones(1)]));
        Assert.Contains("input 0 (shape [1]) does not require grad", noGrad.Message);
    }

    [Fact]
    public void Create_graph_gives_higher_derivatives()
    {
        var x = Leaf(0.5f, 2f);
        var y = (x * x * x).Sum();
        var dy = Autograd.Grad(y, x, createGraph: true);   // 3x²
        Check.Close([0.75f, 12f], dy);
        var d2y = Autograd.Grad(dy.Sum(), x);               // 6x
        Check.Close([3f, 12f], d2y);
        var z = x.Sin().Sum();
        var dz = Autograd.Grad(z, x, createGraph: true);   // cos x
        Check.Close([-MathF.Sin(0.5f), -MathF.Sin(2f)], Autograd.Grad(dz.Sum(), x), rtol: 1e-5);
    }

    [Fact]
    public void Long_chains_do_not_overflow_the_stack()
    {
        var x = Leaf(1f);
        var y = x;
        for (var i = 0; i < 20000; i++) y = y * 1.0001f;
        y.Sum().Backward();
        Check.Close([MathF.Pow(1.0001f, 20000)], x.Grad!, rtol: 1e-3);
    }

    [Fact]
    public void Product_gradient_handles_zero_factors()
    {
        var x = Leaf(2f, 0f, 3f);
        x.Prod().Backward();
        Check.Close([0f, 6f, 0f], x.Grad!);
        var twoZeros = Leaf(0f, 0f, 3f);
        twoZeros.Prod().Backward();
        Check.Close([0f, 0f, 0f], twoZeros.Grad!);
    }

    [Fact]
    public void Ties_split_the_gradient()
    {
        var a = Leaf(1f, 5f);
        var b = Leaf(1f, 2f);
        Tensor.Maximum(a, b).Sum().Backward();
        Check.Close([0.5f, 1f], a.Grad!);
        Check.Close([0.5f, 0f], b.Grad!);
        var m = Leaf(3f, 1f, 3f);
        m.Max().Backward();
        Check.Close([0.5f, 0f, 0.5f], m.Grad!);
        var n = Leaf(3f, 1f, 3f);
        n.MaxWithIndices(0).Values.Backward(); // max along an axis picks one element, as PyTorch does
        Check.Close([1f, 0f, 0f], n.Grad!);
    }

    [Fact]
    public void Norm_gradient_at_zero_is_zero_not_nan()
    {
        var x = Leaf(0f, 0f);
        x.Norm().Backward();
        Check.Close([0f, 0f], x.Grad!);
    }

    [Fact]
    public void Gradient_flows_through_views_into_the_base()
    {
        var x = Tensor.Arange(6).Reshape(2, 3).Detach();
        x.RequiresGrad = true;
        (x.T.Slice(0, 1, null, 1) * 2f).Sum().Backward(); // columns 1..2 of x
        Check.Close([0f, 2f, 2f, 0f, 2f, 2f], x.Grad!.Reshape(6));
    }
}
