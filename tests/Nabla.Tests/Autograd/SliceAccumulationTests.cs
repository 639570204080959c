using Nabla.Tests.Support;

namespace Nabla.Tests.Differentiation;

/// <summary>
/// The backward pass adds the gradients of several slices of one tensor into a single buffer in place. These cases
/// check the sums against gradients worked by hand, with slices mixed with whole-tensor uses (which arrive first or
/// last), strided and overlapping slices, a gradient reused by two consumers, and second derivatives (which take the
/// out-of-place path).
/// </summary>
public class SliceAccumulationTests
{
    private static Tensor Leaf() => Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 6).RequireGrad();

    [Fact]
    public void Gate_like_narrows_each_get_their_own_scale()
    {
        var x = Leaf();
        var loss = (x.Narrow(0, 0, 2) * 1f).Sum() + (x.Narrow(0, 2, 2) * 2f).Sum() + (x.Narrow(0, 4, 2) * 3f).Sum();
        loss.Backward();
        Check.Close([1f, 1f, 2f, 2f, 3f, 3f], x.Grad!);
    }

    [Fact]
    public void Overlapping_strided_slices_and_a_whole_use_add_up()
    {
        var x = Leaf();
        // d/dx: whole use 10; [::2] adds 1 at 0,2,4; [1:5] adds x-dependent 2·x at 1..4; Select(5) adds 7.
        var loss = (x * 10f).Sum() + x.Slice(0, 0, null, 2).Sum() + (x.Narrow(0, 1, 4) * x.Narrow(0, 1, 4)).Sum() + x.Select(0, 5) * 7f;
        loss.Backward();
        Check.Close([11f, 10f + 4f, 11f + 6f, 10f + 8f, 11f + 10f, 17f], x.Grad!);
    }

    [Fact]
    public void A_slice_after_other_gradients_arrived_keeps_them()
    {
        var x = Leaf();
        var whole = x.Exp();                       // arrives at x through Exp's backward
        var part = x.Narrow(0, 3, 3);
        var loss = whole.Sum() + (part * 5f).Sum() + part.Sum();
        loss.Backward();
        var expected = new[] { 1f, 2f, 3f, 4f, 5f, 6f }.Select((v, i) => MathF.Exp(v) + (i >= 3 ? 6f : 0f)).ToArray();
        Check.Close(expected, x.Grad!);
    }

    [Fact]
    public void Slices_of_an_intermediate_feed_both_consumers_of_a_shared_gradient()
    {
        var x = Leaf();
        var h = x * 2f;
        var y = h.Narrow(0, 0, 3) + h.Narrow(0, 3, 3);   // Add hands the same gradient to both slices
        (y * Tensor.FromArray([1f, 2f, 3f], 3)).Sum().Backward();
        Check.Close([2f, 4f, 6f, 2f, 4f, 6f], x.Grad!);
    }

    [Fact]
    public void Repeated_backward_passes_accumulate_into_the_leaf()
    {
        var x = Leaf();
        for (var i = 0; i < 3; i++) (x.Narrow(0, 1, 2).Sum() + x.Narrow(0, 2, 2).Sum()).Backward();
        Check.Close([0f, 3f, 6f, 3f, 0f, 0f], x.Grad!);
    }

    [Fact]
    public void Second_derivatives_through_slices_match_the_closed_form()
    {
        var x = Leaf();
        // f = Σ_{i<3} x_i³ + Σ_{i≥2} x_i², so f'' summed = Σ_{i<3} 6x_i + Σ_{i≥2} 2.
        var a = x.Narrow(0, 0, 3);
        var b = x.Narrow(0, 2, 4);
        var f = (a * a * a).Sum() + (b * b).Sum();
        var g = Nabla.Autograd.Grad([f], [x], createGraph: true)[0]!;
        var h = Nabla.Autograd.Grad([g.Sum()], [x])[0]!;
        Check.Close([6f, 12f, 18f + 2f, 2f, 2f, 2f], h);
    }
}
