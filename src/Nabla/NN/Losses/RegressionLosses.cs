using static Nabla.NN.LossMath;

namespace Nabla.NN;

/// <summary>Mean squared error, see <see cref="Losses.Mse"/>.</summary>
public sealed class MseLoss(Reduction reduction = Reduction.Mean) : Loss("mse", reduction)
{
    public override Tensor Compute(Tensor prediction, Tensor target) => Losses.Mse(prediction, target, Reduction);
}

/// <summary>Root mean squared error, see <see cref="Losses.Rmse"/> (None gives one root per example).</summary>
public sealed class RmseLoss(Reduction reduction = Reduction.Mean) : Loss("rmse", reduction)
{
    public override Tensor Compute(Tensor prediction, Tensor target) => Losses.Rmse(prediction, target, Reduction);
}

/// <summary>Mean absolute error, the L1 loss, see <see cref="Losses.Mae"/>.</summary>
public sealed class MaeLoss(Reduction reduction = Reduction.Mean) : Loss("mae", reduction)
{
    public override Tensor Compute(Tensor prediction, Tensor target) => Losses.Mae(prediction, target, Reduction);
}

/// <summary>Huber loss with threshold δ, see <see cref="Losses.Huber"/>.</summary>
public sealed class HuberLoss(float delta = 1f, Reduction reduction = Reduction.Mean) : Loss("huber", reduction)
{
    public float Delta { get; } = RequirePositive(nameof(HuberLoss), "delta", delta);

    public override Tensor Compute(Tensor prediction, Tensor target) => Losses.Huber(prediction, target, Delta, Reduction);

    public override string ToString() => $"HuberLoss(delta: {Delta}, reduction: {Reduction})";
}

/// <summary>Smooth L1 loss with threshold β, see <see cref="Losses.SmoothL1"/>.</summary>
public sealed class SmoothL1Loss(float beta = 1f, Reduction reduction = Reduction.Mean) : Loss("smooth_l1", reduction)
{
    public float Beta { get; } = RequireNonNegative(nameof(SmoothL1Loss), "beta", beta);

    public override Tensor Compute(Tensor prediction, Tensor target) => Losses.SmoothL1(prediction, target, Beta, Reduction);

    public override string ToString() => $"SmoothL1Loss(beta: {Beta}, reduction: {Reduction})";
}
