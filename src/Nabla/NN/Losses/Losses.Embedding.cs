using static Nabla.NN.LossMath;

namespace Nabla.NN;

public static partial class Losses
{
    /// <summary>
    /// Triplet margin loss for embeddings [N, D] (or one triplet [D]): ℓₙ = max(d(aₙ, pₙ) - d(aₙ, nₙ) + margin, 0)
    /// with PyTorch's pairwise distance d(x, y) = ‖x - y + ε‖_p over the last axis. With <paramref name="swap"/>,
    /// d(aₙ, nₙ) is replaced by d(pₙ, nₙ) when that is smaller (Balntas et al., 2016). None returns [N].
    /// </summary>
    public static Tensor TripletMargin(Tensor anchor, Tensor positive, Tensor negative, float margin = 1f, float p = 2f,
        float eps = 1e-6f, bool swap = false, Reduction reduction = Reduction.Mean)
    {
        const string name = "TripletMarginLoss";
        RequireNonNegative(name, "margin", margin);
        if (!(p > 0f)) throw new ArgumentException($"{name}: the norm's p must be positive (∞ allowed); got {p}.");
        RequireNonNegative(name, "eps", eps);
        CheckSameShape(name, anchor, positive, "anchor", "positive");
        CheckSameShape(name, anchor, negative, "anchor", "negative");
        CheckEmbeddingRank(name, anchor, "anchor");
        var toPositive = PairwiseDistance(anchor, positive, p, eps);   // [N]
        var toNegative = PairwiseDistance(anchor, negative, p, eps);   // [N]
        if (swap) toNegative = Tensor.Minimum(toNegative, PairwiseDistance(positive, negative, p, eps));
        return Reduce((toPositive - toNegative + margin).Relu(), reduction, name);
    }

    /// <summary>
    /// Cosine embedding loss for pairs x₁, x₂ [N, D] (or one pair [D]) with targets y [N] of ±1:
    /// ℓₙ = 1 - cos(x₁ₙ, x₂ₙ) for y = 1 (pull together), max(0, cos - margin) for y = -1 (push apart).
    /// cos = x₁·x₂ / √((‖x₁‖² + ε)(‖x₂‖² + ε)) with ε = 1e-12, as in PyTorch. None returns [N].
    /// </summary>
    public static Tensor CosineEmbedding(Tensor input1, Tensor input2, Tensor target, float margin = 0f, Reduction reduction = Reduction.Mean)
    {
        const string name = "CosineEmbeddingLoss";
        RequireInRange(name, "margin", margin, -1f, 1f);
        CheckSameShape(name, input1, input2, "input1", "input2");
        CheckEmbeddingRank(name, input1, "input1");
        var expected = input1.Rank == 2 ? new Shape(input1.Shape[0]) : Shape.Scalar;
        if (target.Shape != expected)
        {
            throw new ArgumentException($"{name}: target must have shape {expected} (one ±1 per pair of inputs {input1.Shape}); got {target.Shape}.");
        }
        foreach (var v in target.ToArray())
        {
            if (v != 1f && v != -1f) throw new ArgumentException($"{name}: targets must be 1 (similar) or -1 (dissimilar); got {v}.");
        }
        const float epsilon = 1e-12f;
        var dot = (input1 * input2).Sum(-1);
        var squares1 = (input1 * input1).Sum(-1) + epsilon;
        var squares2 = (input2 * input2).Sum(-1) + epsilon;
        var cos = dot / (squares1 * squares2).Sqrt();                   // [N]
        var loss = Tensor.Where(target.Eq(1f), 1f - cos, (cos - margin).Relu());
        return Reduce(loss, reduction, name);
    }

    private static Tensor PairwiseDistance(Tensor x, Tensor y, float p, float eps) => (x - y + eps).Norm(p, [-1]);

    private static void CheckEmbeddingRank(string name, Tensor x, string what)
    {
        if (x.Rank is not (1 or 2)) throw new ArgumentException($"{name}: {what} must be embeddings [N, D] or one embedding [D]; got {x.Shape}.");
    }
}
