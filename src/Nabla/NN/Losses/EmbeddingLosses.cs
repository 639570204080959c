using static Nabla.NN.LossMath;

namespace Nabla.NN;

/// <summary>
/// Triplet margin loss, see <see cref="Losses.TripletMargin"/>. The two-argument form takes the model's
/// embeddings stacked as [N, 3, D] (anchor, positive, negative along axis 1) and ignores the target.
/// </summary>
public sealed class TripletMarginLoss(float margin = 1f, float p = 2f, float eps = 1e-6f, bool swap = false, Reduction reduction = Reduction.Mean)
    : Loss("triplet_margin", reduction)
{
    public float Margin { get; } = RequireNonNegative(nameof(TripletMarginLoss), "margin", margin);
    public float P { get; } = p > 0f ? p : throw new ArgumentException($"TripletMarginLoss: the norm's p must be positive (∞ allowed); got {p}.");
    public float Eps { get; } = RequireNonNegative(nameof(TripletMarginLoss), "eps", eps);
    public bool Swap { get; } = swap;

    public Tensor Compute(Tensor anchor, Tensor positive, Tensor negative) =>
        Losses.TripletMargin(anchor, positive, negative, Margin, P, Eps, Swap, Reduction);

    public override Tensor Compute(Tensor prediction, Tensor target)
    {
        if (prediction.Rank is not (2 or 3) || prediction.Shape[-2] != 3)
        {
            throw new ArgumentException($"TripletMarginLoss: prediction must stack anchor, positive and negative as [N, 3, D] (or [3, D]); got {prediction.Shape}.");
        }
        return Compute(prediction.Select(-2, 0), prediction.Select(-2, 1), prediction.Select(-2, 2));
    }
}

/// <summary>
/// Cosine embedding loss, see <see cref="Losses.CosineEmbedding"/>. The two-argument form takes the pairs
/// stacked as [N, 2, D] and the ±1 targets [N].
/// </summary>
public sealed class CosineEmbeddingLoss(float margin = 0f, Reduction reduction = Reduction.Mean) : Loss("cosine_embedding", reduction)
{
    public float Margin { get; } = RequireInRange(nameof(CosineEmbeddingLoss), "margin", margin, -1f, 1f);

    public Tensor Compute(Tensor input1, Tensor input2, Tensor target) => Losses.CosineEmbedding(input1, input2, target, Margin, Reduction);

    public override Tensor Compute(Tensor prediction, Tensor target)
    {
        if (prediction.Rank is not (2 or 3) || prediction.Shape[-2] != 2)
        {
            throw new ArgumentException($"CosineEmbeddingLoss: prediction must stack the pairs as [N, 2, D] (or [2, D]); got {prediction.Shape}.");
        }
        return Compute(prediction.Select(-2, 0), prediction.Select(-2, 1), target);
    }
}
