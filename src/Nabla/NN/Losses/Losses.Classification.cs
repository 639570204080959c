using static Nabla.NN.LossMath;

namespace Nabla.NN;

public static partial class Losses
{
    /// <summary>
    /// Categorical cross-entropy from logits [N, C] (or [N, C, d...], or one example [C]); the log-softmax is
    /// taken over the class axis 1 stably. The target is either class indices [N] / [N, d...] (floats holding
    /// whole numbers) or class probabilities of the logits' shape (one-hot or soft labels).
    /// See <see cref="Nll"/> for the options, which follow PyTorch's cross_entropy.
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, Tensor? weight = null, int? ignoreIndex = null,
        float labelSmoothing = 0f, Reduction reduction = Reduction.Mean)
    {
        const string name = "CrossEntropyLoss";
        if (logits.Rank == 0) throw new ArgumentException($"{name}: logits must be [N, C], [N, C, d...] or [C]; got a scalar.");
        if (weight is null && ignoreIndex is null && labelSmoothing == 0f && reduction == Reduction.Mean
            && Ops.SoftmaxCrossEntropy.TryApply(logits, target) is { } fused)
        {
            return fused;
        }
        var logProbabilities = Functional.LogSoftmax(logits, logits.Rank == 1 ? 0 : 1);
        return LogProbabilityLoss(name, logProbabilities, target, weight, ignoreIndex, labelSmoothing, reduction);
    }

    /// <summary>
    /// Negative log-likelihood on log-probabilities [N, C] (or [N, C, d...], or [C]), e.g. a LogSoftmax output.
    /// Class-index targets: ℓₙ = -w[yₙ]·log p[n, yₙ]; with label smoothing ε,
    /// ℓₙ = (1 - ε)·(-w[yₙ]·log p[n, yₙ]) + (ε/C)·Σ_c -w[c]·log p[n, c]. Positions whose target equals
    /// <paramref name="ignoreIndex"/> get loss 0 and do not count. Mean divides the sum by Σ w[yₙ] over the counted
    /// positions (the number of them without weights), as PyTorch does; when nothing counts it returns 0 (PyTorch: NaN).
    /// Probability targets q: ℓₙ = -Σ_c w[c]·q'[n, c]·log p[n, c] with q' = (1 - ε)·q + ε/C, and Mean divides by N.
    /// None returns [N] (or [N, d...]). <paramref name="weight"/>: optional class weights [C].
    /// <paramref name="ignoreIndex"/>: a class-index value to skip (e.g. -100 for padding); not allowed with probability targets.
    /// <paramref name="labelSmoothing"/>: ε in [0, 1], the share of the target mass spread evenly over all classes.
    /// </summary>
    public static Tensor Nll(Tensor logProbabilities, Tensor target, Tensor? weight = null, int? ignoreIndex = null,
        float labelSmoothing = 0f, Reduction reduction = Reduction.Mean) =>
        LogProbabilityLoss("NllLoss", logProbabilities, target, weight, ignoreIndex, labelSmoothing, reduction);

    /// <summary>
    /// Kullback-Leibler divergence KL(target ‖ input) with PyTorch's kl_div conventions: the input holds
    /// log-probabilities, the target probabilities (or log-probabilities when <paramref name="logTarget"/>).
    /// Per element ℓ = t·(log t - x), taken as 0 where t = 0; with logTarget, ℓ = eᵗ·(t - x).
    /// BatchMean (the default) divides the sum by N and is the true KL per example; Mean divides by every element.
    /// </summary>
    public static Tensor KlDiv(Tensor input, Tensor target, Reduction reduction = Reduction.BatchMean, bool logTarget = false)
    {
        const string name = "KlDivLoss";
        CheckSameShape(name, input, target, "input");
        Tensor pointwise;
        if (logTarget)
        {
            pointwise = target.Exp() * (target - input);
        }
        else
        {
            var positive = target.Gt(0f);
            var safeLog = Tensor.Where(positive, target, Tensor.Scalar(1f)).Log(); // log t where t > 0, 0 elsewhere
            pointwise = Tensor.Where(positive, target * (safeLog - input), Tensor.Scalar(0f));
        }
        return Reduce(pointwise, reduction, name);
    }

    private static Tensor LogProbabilityLoss(string name, Tensor logp, Tensor target, Tensor? weight, int? ignoreIndex,
        float labelSmoothing, Reduction reduction)
    {
        CheckReduction(reduction, name);
        RequireInRange(name, "labelSmoothing", labelSmoothing, 0f, 1f);
        if (logp.Rank == 0) throw new ArgumentException($"{name}: input must be [N, C], [N, C, d...] or [C]; got a scalar.");
        if (logp.Rank == 1)
        {
            // One example [C]: treat as a batch of one, then drop the batch axis again.
            var one = LogProbabilityLoss(name, logp.Unsqueeze(0), target.Unsqueeze(0), weight, ignoreIndex, labelSmoothing, reduction);
            return reduction == Reduction.None ? one.Squeeze(0) : one;
        }
        var classes = logp.Shape[1];
        var classShape = new int[logp.Rank];                 // [1, C, 1, ...] lines weights up with the class axis
        Array.Fill(classShape, 1);
        classShape[1] = classes;
        if (weight is not null && (weight.Rank != 1 || weight.Shape[0] != classes))
        {
            throw new ArgumentException($"{name}: class weights must be [{classes}] (one per class of input {logp.Shape}); got {weight.Shape}.");
        }
        var classWeight = weight?.Reshape(classShape);

        if (target.Shape == logp.Shape)
        {
            if (ignoreIndex is not null)
            {
                throw new ArgumentException($"{name}: ignoreIndex applies to class-index targets only, but the target {target.Shape} holds class probabilities.");
            }
            var q = labelSmoothing > 0f ? target * (1f - labelSmoothing) + labelSmoothing / classes : target;
            var terms = -(q * logp);                                       // [N, C, d...]
            if (classWeight is not null) terms = terms * classWeight;
            return Reduce(terms.Sum(1), reduction, name);                  // [N, d...]
        }

        var indexShape = logp.Shape.ToArray().Where((_, d) => d != 1).ToArray();
        if (target.Shape != new Shape(indexShape))
        {
            throw new ArgumentException($"{name}: target of shape {target.Shape} does not fit input {logp.Shape}: expected class indices " +
                $"{new Shape(indexShape)} or class probabilities {logp.Shape}.");
        }
        var anyIgnored = CheckClassIndices(name, target, classes, ignoreIndex, logp.Shape);
        var index = target.Detach();
        Tensor? ignored = null;
        if (anyIgnored)
        {
            ignored = index.Eq(ignoreIndex!.Value);
            index = Tensor.Where(ignored, Tensor.Scalar(0f), index);      // any valid class; its loss is masked below
        }
        var picked = logp.Gather(1, index.Unsqueeze(1)).Squeeze(1);      // [N, d...] log p of the target class
        var targetWeight = weight is null ? Tensor.OnesLike(index) : weight.Detach().Gather(0, index.Reshape(-1)).Reshape(indexShape);
        if (ignored is not null) targetWeight = Tensor.Where(ignored, Tensor.Scalar(0f), targetWeight);
        var loss = -picked * targetWeight;
        if (labelSmoothing > 0f)
        {
            var smooth = -(classWeight is null ? logp : logp * classWeight).Sum(1);    // Σ_c -w[c]·log p[c], [N, d...]
            if (ignored is not null) smooth = Tensor.Where(ignored, Tensor.Scalar(0f), smooth);
            loss = loss * (1f - labelSmoothing) + smooth * (labelSmoothing / classes);
        }
        if (ignored is not null) loss = Tensor.Where(ignored, Tensor.Scalar(0f), loss); // 0·(-inf) would be NaN
        if (reduction != Reduction.Mean) return Reduce(loss, reduction, name);
        var total = targetWeight.Sum();
        return loss.Sum() / Tensor.Where(total.Eq(0f), Tensor.Scalar(1f), total); // nothing counted: 0, not 0/0
    }

    /// <summary>Class indices must be whole numbers in [0, C) or the ignore index; returns whether any is ignored.</summary>
    private static bool CheckClassIndices(string name, Tensor target, int classes, int? ignoreIndex, Shape inputShape)
    {
        var values = target.ToArray();
        var anyIgnored = false;
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            if (v != MathF.Floor(v) || float.IsInfinity(v))
            {
                throw new ArgumentException($"{name}: target value {v} at position {i} is not a whole number; class-index targets hold " +
                    $"integers 0..{classes - 1} (class probabilities need the input's shape {inputShape}).");
            }
            if (ignoreIndex is int skip && v == skip)
            {
                anyIgnored = true;
                continue;
            }
            if (v < 0f || v >= classes)
            {
                throw new ArgumentException($"{name}: target class index {v} at position {i} is out of range for {classes} classes " +
                    $"(input {inputShape}); indices run from 0 to {classes - 1}{(ignoreIndex is null ? "" : $" or equal ignoreIndex {ignoreIndex}")}.");
            }
        }
        return anyIgnored;
    }
}
