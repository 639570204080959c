using Nabla.Tests.Support;

namespace Nabla.Tests.Ops;

/// <summary>
/// Runs every row of <see cref="OpTable"/>: forward against the plain reference, gradient against
/// central differences, and both again on transposed, step-sliced and expanded (broadcast) views.
/// </summary>
public class OpTableTests
{
    public static TheoryData<string> All() => [.. OpTable.Cases.Keys];

    // View never copies, so it rightly refuses non-contiguous inputs (tested with the bad-shape rows).
    public static TheoryData<string> Viewable() => [.. OpTable.Cases.Keys.Where(n => n != "View")];

    public static TheoryData<string> Differentiable() => [.. OpTable.Cases.Values.Where(c => c.Differentiable).Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(All))]
    public void Forward_matches_reference(string name)
    {
        var c = OpTable.Cases[name];
        var inputs = c.MakeInputs();
        Check.Close(c.Reference(inputs.Select(NdArray.Of).ToArray()), c.Op(inputs), context: name);
    }

    [Theory]
    [MemberData(nameof(Differentiable))]
    public void Gradient_matches_finite_differences(string name)
    {
        var c = OpTable.Cases[name];
        Check.Gradients(c.Op, c.MakeInputs(), name);
    }

    [Theory]
    [MemberData(nameof(Viewable))]
    public void Non_contiguous_views_give_the_same_results(string name)
    {
        var c = OpTable.Cases[name];
        var inputs = c.MakeInputs();
        var expected = c.Reference(inputs.Select(NdArray.Of).ToArray());
        foreach (var (label, view) in Views)
        {
            var viewed = inputs.Select(view).ToArray();
            Check.Close(expected, c.Op(viewed), context: $"{name} on {label} inputs");
            if (c.Differentiable)
            {
                Check.Gradients(xs => c.Op(xs.Select(view).ToArray()), inputs, $"{name} through {label} inputs");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Viewable))]
    public void Broadcast_views_give_the_same_results(string name)
    {
        var c = OpTable.Cases[name];
        // Inputs whose first axis repeats one slice: the op sees a zero-stride expand of that slice.
        var small = c.MakeInputs().Select(x => x.Rank > 0 && x.Shape[0] > 1 ? x.Narrow(0, 0, 1).Contiguous() : x).ToArray();
        if (small.Zip(c.Shapes).All(p => p.First.Shape.ToArray().SequenceEqual(p.Second))) return; // nothing to expand
        Tensor[] Grow(Tensor[] xs) => xs.Select((x, k) => x.Expand(c.Shapes[k])).ToArray();
        var expected = c.Reference(Grow(small).Select(x => NdArray.Of(x.Contiguous())).ToArray());
        Check.Close(expected, c.Op(Grow(small)), context: $"{name} on expanded inputs");
        if (c.Differentiable) Check.Gradients(xs => c.Op(Grow(xs)), small, $"{name} through expanded inputs");
    }

    [Fact]
    public void The_view_makers_really_give_non_contiguous_tensors()
    {
        var x = Tensor.Rand(3, 4);
        foreach (var (label, view) in Views)
        {
            var v = view(x);
            Assert.False(v.IsContiguous, label);
            Assert.True(v.ValueEquals(x), label);
        }
        Assert.False(Tensor.Rand(1, 4).Expand(3, 4).IsContiguous);
    }

    /// <summary>Differentiable ways to present the same values through a non-contiguous view.</summary>
    private static readonly (string Label, Func<Tensor, Tensor> View)[] Views =
    [
        ("transposed", x => x.Rank < 2 ? StepSliced(x) : x.Transpose(-1, -2).Contiguous().Transpose(-1, -2)),
        ("step-sliced", StepSliced),
    ];

    private static Tensor StepSliced(Tensor x)
    {
        if (x.Rank == 0) return x;
        // Interleave with junk along a new last axis, then take every other element.
        var junk = Tensor.FullLike(x, 99f);
        return Tensor.Stack([x, junk], -1).Reshape([.. x.Shape.ToArray()[..^1], x.Shape[-1] * 2]).Slice(-1, 0, null, 2);
    }
}
