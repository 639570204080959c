namespace Nabla.NN;

/// <summary>Pieces shared by the losses: reductions, shape checks and numerically safe compositions.</summary>
internal static class LossMath
{
    /// <summary>PyTorch clamps log(p) in binary cross-entropy to this floor so p = 0 or 1 gives a finite loss.</summary>
    public const float LogFloor = -100f;

    /// <summary>The floor under p in the gradient 1/p of the clamped log (PyTorch's EPSILON in BCE's backward).</summary>
    public const float GradientFloor = 1e-12f;

    public static Tensor Reduce(Tensor loss, Reduction reduction, string name) => reduction switch
    {
        Reduction.None => loss,
        Reduction.Mean => loss.Mean(),
        Reduction.Sum => loss.Sum(),
        Reduction.BatchMean => loss.Rank == 0 ? loss : loss.Sum() / loss.Shape[0],
        _ => throw new ArgumentOutOfRangeException(nameof(reduction), $"{name}: unknown reduction {reduction}."),
    };

    public static Reduction CheckReduction(Reduction reduction, string name) =>
        Enum.IsDefined(reduction) ? reduction : throw new ArgumentOutOfRangeException(nameof(reduction), $"{name}: unknown reduction {reduction}.");

    public static float RequirePositive(string name, string what, float value) =>
        value > 0f && !float.IsInfinity(value) ? value : throw new ArgumentException($"{name}: {what} must be positive and finite; got {value}.");

    public static float RequireNonNegative(string name, string what, float value) =>
        value >= 0f && !float.IsInfinity(value) ? value : throw new ArgumentException($"{name}: {what} must be non-negative and finite; got {value}.");

    public static float RequireInRange(string name, string what, float value, float low, float high) =>
        value >= low && value <= high ? value : throw new ArgumentException($"{name}: {what} must be in [{low}, {high}]; got {value}.");

    public static void CheckSameShape(string name, Tensor prediction, Tensor target, string predictionName = "prediction", string targetName = "target")
    {
        if (prediction.Shape != target.Shape)
        {
            throw new ArgumentException($"{name}: {predictionName} has shape {prediction.Shape} but {targetName} has shape {target.Shape}; " +
                "they must be equal (losses do not broadcast, so an [N, 1] output is never silently compared with all N targets; reshape one of them).");
        }
    }

    /// <summary>An optional weight must broadcast to the loss's shape without enlarging it.</summary>
    public static void CheckBroadcastsTo(string name, string what, Tensor weight, Shape shape)
    {
        var fits = weight.Rank <= shape.Rank;
        for (var i = 1; i <= weight.Rank && fits; i++) fits = weight.Shape[-i] == 1 || weight.Shape[-i] == shape[-i];
        if (!fits)
        {
            throw new ArgumentException($"{name}: {what} of shape {weight.Shape} must broadcast to the loss's shape {shape}.");
        }
    }

    /// <summary>
    /// log(1 + eˣ) = max(x, 0) + log1p(e^-|x|), written with two Wheres instead of Relu and Abs so the
    /// gradient is sigmoid(x) everywhere, including ½ at x = 0 where Relu' and Abs' would both give 0.
    /// Neither exponent is ever positive, so ±1e4 stays finite.
    /// </summary>
    public static Tensor Softplus(Tensor x)
    {
        var positive = x.Gt(0f);
        var zero = Tensor.Scalar(0f);
        var xPositive = Tensor.Where(positive, x, zero);  // max(x, 0)
        var xNegative = Tensor.Where(positive, zero, x);  // min(x, 0)
        return xPositive + (xNegative - xPositive).Exp().Log1p(); // xNegative - xPositive = -|x|
    }

    /// <summary>
    /// max(log p, -100) as value (PyTorch's clamp); as gradient 1/max(p, 1e-12), so p = 0 still gets a finite,
    /// large push instead of 0·∞ = NaN. The gradient rides on p - p.Detach(), which is exactly zero in value.
    /// </summary>
    public static Tensor ClampedLog(Tensor p)
    {
        var constant = p.Detach();
        var value = constant.Log().Clamp(min: LogFloor);
        if (!p.RequiresGrad) return value;
        var slope = 1f / constant.Clamp(min: GradientFloor);
        return value + (p - constant) * slope;
    }

    /// <summary>√x with gradient 0 (not ∞·0 = NaN) where x = 0.</summary>
    public static Tensor SafeSqrt(Tensor x)
    {
        var isZero = x.Eq(0f);
        return Tensor.Where(isZero, Tensor.Scalar(0f), Tensor.Where(isZero, Tensor.Scalar(1f), x).Sqrt());
    }
}
