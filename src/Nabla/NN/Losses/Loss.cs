using static Nabla.NN.LossMath;

namespace Nabla.NN;

/// <summary>
/// A loss as an object, for trainers and model specs: configured once (options and <see cref="Reduction"/>),
/// then <see cref="Compute"/> per batch. Each wraps a function of <see cref="Losses"/>.
/// <code>var loss = new CrossEntropyLoss(labelSmoothing: 0.1f); var cost = loss.Compute(logits, labels);</code>
/// </summary>
public abstract class Loss
{
    protected Loss(string name, Reduction reduction)
    {
        Name = name;
        Reduction = CheckReduction(reduction, GetType().Name);
    }

    /// <summary>The registry name (see <see cref="Names"/>), e.g. <c>cross_entropy</c>.</summary>
    public string Name { get; }

    /// <summary>How per-example losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>The loss of a batch; what prediction and target mean is documented by each loss.</summary>
    public abstract Tensor Compute(Tensor prediction, Tensor target);

    public override string ToString() => $"{GetType().Name}(reduction: {Reduction})";

    /// <summary>Every loss by its registry name, each created with its default options by <see cref="Create"/>.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "mse", "rmse", "mae", "huber", "smooth_l1", "bce", "bce_with_logits", "cross_entropy", "nll", "kl_div",
        "triplet_margin", "cosine_embedding", "gan_discriminator", "gan_generator", "gan_generator_minimax",
    ];

    /// <summary>
    /// A new loss by name (case-insensitive; '-' and '_' alike), with its default options. Keras-style aliases are
    /// accepted: mean_squared_error, mean_absolute_error, l1, binary_crossentropy, categorical_crossentropy,
    /// sparse_categorical_crossentropy, kl_divergence. A null reduction keeps the loss's default (BatchMean for kl_div, Mean otherwise).
    /// </summary>
    public static Loss Create(string name, Reduction? reduction = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var r = reduction ?? Reduction.Mean;
        return name.Trim().ToLowerInvariant().Replace("-", "_", StringComparison.Ordinal) switch
        {
            "mse" or "mean_squared_error" => new MseLoss(r),
            "rmse" or "root_mean_squared_error" => new RmseLoss(r),
            "mae" or "l1" or "mean_absolute_error" => new MaeLoss(r),
            "huber" => new HuberLoss(reduction: r),
            "smooth_l1" => new SmoothL1Loss(reduction: r),
            "bce" or "binary_crossentropy" or "binary_cross_entropy" => new BceLoss(reduction: r),
            "bce_with_logits" => new BceWithLogitsLoss(reduction: r),
            "cross_entropy" or "crossentropy" or "categorical_crossentropy" or "sparse_categorical_crossentropy" => new CrossEntropyLoss(reduction: r),
            "nll" => new NllLoss(reduction: r),
            "kl_div" or "kl_divergence" or "kld" => new KlDivLoss(reduction: reduction ?? Reduction.BatchMean),
            "triplet_margin" => new TripletMarginLoss(reduction: r),
            "cosine_embedding" => new CosineEmbeddingLoss(reduction: r),
            "gan_discriminator" => new GanDiscriminatorLoss(r),
            "gan_generator" or "gan_generator_non_saturating" => new GanGeneratorLoss(reduction: r),
            "gan_generator_minimax" => new GanGeneratorLoss(nonSaturating: false, reduction: r),
            _ => throw new ArgumentException($"Unknown loss '{name}'; expected one of: {string.Join(", ", Names)}."),
        };
    }
}
