namespace Nabla.NN;

/// <summary>How a loss turns its per-example (or per-element) losses into the value it returns.</summary>
public enum Reduction
{
    /// <summary>No reduction: one loss per example ([N]) or per element (the input's shape), as each loss documents.</summary>
    None,

    /// <summary>The average, i.e. the cost. Class-weighted cross-entropy divides by the total weight of the counted targets.</summary>
    Mean,

    /// <summary>The sum.</summary>
    Sum,

    /// <summary>The sum divided by the batch size (the first axis); for <see cref="Losses.KlDiv"/> this is the true KL divergence per example.</summary>
    BatchMean,
}
