using static Nabla.NN.LossMath;

namespace Nabla.NN;

/// <summary>
/// Loss functions as plain functions of tensors, composed from differentiable primitives (gradients come free).
/// Every loss takes a <see cref="Reduction"/>; the loss objects (<see cref="Loss"/>) wrap these for trainers and specs.
/// Element-wise losses need prediction and target of the same shape: they never broadcast.
/// </summary>
public static partial class Losses
{
    /// <summary>Mean squared error: ℓ = (ŷ - y)², per element (None keeps the input's shape).</summary>
    public static Tensor Mse(Tensor prediction, Tensor target, Reduction reduction = Reduction.Mean)
    {
        CheckSameShape("MseLoss", prediction, target);
        var d = prediction - target;
        return Reduce(d * d, reduction, "MseLoss");
    }

    /// <summary>
    /// Root mean squared error. Mean: √(mean of (ŷ - y)² over all elements), the usual RMSE.
    /// None: one root per example, √(mean over the non-batch axes) → [N] (for 1-D input that is |ŷ - y|);
    /// Sum and BatchMean add those per-example roots (and divide by N). Its gradient at a zero error is taken as 0.
    /// </summary>
    public static Tensor Rmse(Tensor prediction, Tensor target, Reduction reduction = Reduction.Mean)
    {
        const string name = "RmseLoss";
        CheckSameShape(name, prediction, target);
        CheckReduction(reduction, name);
        var d = prediction - target;
        var squares = d * d;
        if (reduction == Reduction.Mean) return SafeSqrt(squares.Mean());
        var perExample = squares.Rank <= 1 ? squares : squares.Mean([.. Enumerable.Range(1, squares.Rank - 1)]); // [N]
        return Reduce(SafeSqrt(perExample), reduction, name);
    }

    /// <summary>Mean absolute error (L1 loss): ℓ = |ŷ - y| per element.</summary>
    public static Tensor Mae(Tensor prediction, Tensor target, Reduction reduction = Reduction.Mean)
    {
        CheckSameShape("MaeLoss", prediction, target);
        return Reduce((prediction - target).Abs(), reduction, "MaeLoss");
    }

    /// <summary>The same as <see cref="Mae"/> under PyTorch's name.</summary>
    public static Tensor L1(Tensor prediction, Tensor target, Reduction reduction = Reduction.Mean) => Mae(prediction, target, reduction);

    /// <summary>
    /// Huber loss (PyTorch's definition), with d = ŷ - y: ½d² where |d| &lt; δ, else δ(|d| - ½δ).
    /// Quadratic near zero, linear (slope δ) beyond, so outliers pull with bounded force.
    /// </summary>
    public static Tensor Huber(Tensor prediction, Tensor target, float delta = 1f, Reduction reduction = Reduction.Mean)
    {
        const string name = "HuberLoss";
        RequirePositive(name, "delta", delta);
        CheckSameShape(name, prediction, target);
        var d = prediction - target;
        var a = d.Abs();
        return Reduce(Tensor.Where(a.Lt(delta), d * d * 0.5f, (a - 0.5f * delta) * delta), reduction, name);
    }

    /// <summary>
    /// Smooth L1 loss (PyTorch's definition), with d = ŷ - y: ½d²/β where |d| &lt; β, else |d| - ½β.
    /// Equals Huber(δ = β)/β; β = 0 gives the L1 loss.
    /// </summary>
    public static Tensor SmoothL1(Tensor prediction, Tensor target, float beta = 1f, Reduction reduction = Reduction.Mean)
    {
        const string name = "SmoothL1Loss";
        RequireNonNegative(name, "beta", beta);
        CheckSameShape(name, prediction, target);
        var d = prediction - target;
        var a = d.Abs();
        if (beta == 0f) return Reduce(a, reduction, name);
        return Reduce(Tensor.Where(a.Lt(beta), d * d * (0.5f / beta), a - 0.5f * beta), reduction, name);
    }
}
