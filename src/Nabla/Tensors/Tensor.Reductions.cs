using Nabla.Backends.Cpu;
using Nabla.Ops;

namespace Nabla;

public sealed partial class Tensor
{
    /// <summary>Sum of all elements (a scalar tensor).</summary>
    public Tensor Sum() => Ops.Sum.Apply(this, null, false);

    /// <summary>Sum over the given axes; keepDims leaves them with size 1.</summary>
    public Tensor Sum(int[] axes, bool keepDims = false) => Ops.Sum.Apply(this, axes, keepDims);

    public Tensor Sum(int axis, bool keepDims = false) => Ops.Sum.Apply(this, [axis], keepDims);

    /// <summary>Mean of all elements.</summary>
    public Tensor Mean() => Sum() / Count;

    public Tensor Mean(int[] axes, bool keepDims = false)
    {
        var n = Axes.ReducedCount(Shape, Axes.Mask(Rank, axes, "Mean"));
        return Sum(axes, keepDims) / n;
    }

    public Tensor Mean(int axis, bool keepDims = false) => Mean([axis], keepDims);

    /// <summary>Product of all elements.</summary>
    public Tensor Prod() => Ops.Prod.Apply(this, null, false);

    public Tensor Prod(int[] axes, bool keepDims = false) => Ops.Prod.Apply(this, axes, keepDims);

    public Tensor Prod(int axis, bool keepDims = false) => Ops.Prod.Apply(this, [axis], keepDims);

    /// <summary>Largest element (gradient shared among ties).</summary>
    public Tensor Max() => Extremum.Apply(this, null, false, min: false);

    public Tensor Max(int[] axes, bool keepDims = false) => Extremum.Apply(this, axes, keepDims, min: false);

    public Tensor Max(int axis, bool keepDims = false) => Extremum.Apply(this, [axis], keepDims, min: false);

    /// <summary>Smallest element (gradient shared among ties).</summary>
    public Tensor Min() => Extremum.Apply(this, null, false, min: true);

    public Tensor Min(int[] axes, bool keepDims = false) => Extremum.Apply(this, axes, keepDims, min: true);

    public Tensor Min(int axis, bool keepDims = false) => Extremum.Apply(this, [axis], keepDims, min: true);

    /// <summary>Index of the largest element along an axis (first on ties), as a float tensor of whole numbers.</summary>
    public Tensor ArgMax(int axis, bool keepDims = false) => ArgExtreme(axis, keepDims, max: true);

    /// <summary>Index of the smallest element along an axis (first on ties).</summary>
    public Tensor ArgMin(int axis, bool keepDims = false) => ArgExtreme(axis, keepDims, max: false);

    /// <summary>Flat (row-major) index of the largest element.</summary>
    public Tensor ArgMax() => Reshape(-1).ArgMax(0);

    /// <summary>Flat (row-major) index of the smallest element.</summary>
    public Tensor ArgMin() => Reshape(-1).ArgMin(0);

    private Tensor ArgExtreme(int axis, bool keepDims, bool max)
    {
        var op = max ? "ArgMax" : "ArgMin";
        var a = Shape.NormalizeAxis(axis, Rank, op);
        if (Shape.Dims[a] == 0) throw new ArgumentException($"{op}: axis {axis} of shape {Shape} is empty.");
        var indices = Reductions.ArgExtreme(this, a, max);
        return keepDims ? indices.Unsqueeze(a) : indices;
    }

    /// <summary>Largest values along an axis with their indices; the values' gradient goes to the chosen element only.</summary>
    public (Tensor Values, Tensor Indices) MaxWithIndices(int axis, bool keepDims = false) => ExtremeWithIndices(axis, keepDims, max: true);

    /// <summary>Smallest values along an axis with their indices.</summary>
    public (Tensor Values, Tensor Indices) MinWithIndices(int axis, bool keepDims = false) => ExtremeWithIndices(axis, keepDims, max: false);

    private (Tensor, Tensor) ExtremeWithIndices(int axis, bool keepDims, bool max)
    {
        var a = Shape.NormalizeAxis(axis, Rank, max ? "MaxWithIndices" : "MinWithIndices");
        var indices = ArgExtreme(a, keepDims: true, max);
        var values = Gather(a, indices);
        return keepDims ? (values, indices) : (values.Squeeze(a), indices.Squeeze(a));
    }

    /// <summary>Variance over the given axes (all when null); unbiased divides by n - 1 (Bessel), else by n.</summary>
    public Tensor Var(int[]? axes = null, bool unbiased = true, bool keepDims = false)
    {
        var mask = Axes.Mask(Rank, axes, "Var");
        var n = Axes.ReducedCount(Shape, mask);
        var all = AxesOf(mask);
        var centred = this - Mean(all, keepDims: true);
        return (centred * centred).Sum(all, keepDims) / (unbiased ? n - 1 : n);
    }

    /// <summary>Standard deviation: √<see cref="Var"/>.</summary>
    public Tensor Std(int[]? axes = null, bool unbiased = true, bool keepDims = false) => Var(axes, unbiased, keepDims).Sqrt();

    /// <summary>log Σ exp(x) over the given axes, computed stably by factoring out the maximum.</summary>
    public Tensor LogSumExp(int[]? axes = null, bool keepDims = false)
    {
        var mask = Axes.Mask(Rank, axes, "LogSumExp");
        var all = AxesOf(mask);
        if (Axes.ReducedCount(Shape, mask) == 0)
        {
            return Full(keepDims ? Axes.KeptShape(Shape, mask) : Axes.KeptShapeWithout(Shape, all), float.NegativeInfinity); // log of an empty sum
        }
        var m = Max(all, keepDims: true).Detach();
        m = m.MaskedFill(m.Abs().Eq(float.PositiveInfinity), 0f); // all -inf (or +inf) rows: avoid inf - inf
        var result = (this - m).Exp().Sum(all, keepDims: true).Log() + m;
        return keepDims ? result : result.Reshape(Axes.KeptShapeWithout(Shape, all));
    }

    public Tensor LogSumExp(int axis, bool keepDims = false) => LogSumExp([axis], keepDims);

    /// <summary>
    /// Vector p-norm over the given axes (all when null): (Σ|x|^p)^(1/p); p = ∞ is max |x|.
    /// The 2-norm's gradient at the zero vector is taken as 0 (the subgradient), not NaN.
    /// </summary>
    public Tensor Norm(float p = 2f, int[]? axes = null, bool keepDims = false)
    {
        var all = AxesOf(Axes.Mask(Rank, axes, "Norm"));
        if (p <= 0f || float.IsNaN(p)) throw new ArgumentException($"Norm: p must be positive; got {p}.");
        if (float.IsPositiveInfinity(p)) return Abs().Max(all, keepDims);
        if (p == 1f) return Abs().Sum(all, keepDims);
        if (p == 2f)
        {
            var squares = (this * this).Sum(all, keepDims);
            var isZero = squares.Eq(0f);
            return Where(isZero, Scalar(0f), Where(isZero, Scalar(1f), squares).Sqrt());
        }
        return Abs().Pow(p).Sum(all, keepDims).Pow(1f / p);
    }

    private static int[] AxesOf(bool[] mask)
    {
        var list = new List<int>(mask.Length);
        for (var d = 0; d < mask.Length; d++)
        {
            if (mask[d]) list.Add(d);
        }
        return [.. list];
    }
}
