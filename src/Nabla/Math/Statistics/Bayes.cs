namespace Nabla.Mathematics;

/// <summary>
/// Bayes' theorem over discrete hypotheses: P(Hᵢ | E) = P(E | Hᵢ)·P(Hᵢ) / P(E), with the evidence
/// P(E) = Σⱼ P(E | Hⱼ)·P(Hⱼ).
/// </summary>
public static class Bayes
{
    /// <summary>Posterior probabilities of each hypothesis given its prior and the likelihood P(E | Hᵢ) of the evidence.</summary>
    public static double[] Posterior(ReadOnlySpan<double> prior, ReadOnlySpan<double> likelihood)
    {
        var evidence = Evidence(prior, likelihood);
        var posterior = new double[prior.Length];
        for (var i = 0; i < posterior.Length; i++) posterior[i] = prior[i] * likelihood[i] / evidence;
        return posterior;
    }

    /// <summary>P(E) = Σ P(E | Hᵢ)·P(Hᵢ); throws when the evidence is impossible under every hypothesis with prior mass.</summary>
    public static double Evidence(ReadOnlySpan<double> prior, ReadOnlySpan<double> likelihood)
    {
        if (prior.Length == 0 || prior.Length != likelihood.Length)
        {
            throw new ArgumentException($"Bayes: needs one likelihood per hypothesis; got {prior.Length} prior values and {likelihood.Length} likelihoods.");
        }
        var total = 0.0;
        var evidence = 0.0;
        for (var i = 0; i < prior.Length; i++)
        {
            if (!(prior[i] >= 0)) throw new ArgumentException($"Bayes: prior probabilities must be non-negative; hypothesis {i} has {prior[i]}.");
            if (!(likelihood[i] >= 0) || double.IsInfinity(likelihood[i])) throw new ArgumentException($"Bayes: likelihoods must be finite and non-negative; hypothesis {i} has {likelihood[i]}.");
            total += prior[i];
            evidence += prior[i] * likelihood[i];
        }
        if (Math.Abs(total - 1) > 1e-6) throw new ArgumentException($"Bayes: the prior must sum to 1; it sums to {total:G6}.");
        if (evidence == 0) throw new ArgumentException("Bayes: the evidence has probability 0 under every hypothesis with prior mass, so the posterior is undefined.");
        return evidence;
    }

    /// <summary>
    /// Tensor form along the last axis (hypotheses), broadcasting prior [..., H] and likelihood [..., H]:
    /// posterior = prior·likelihood / Σ(prior·likelihood). Differentiable.
    /// </summary>
    public static Tensor Posterior(Tensor prior, Tensor likelihood)
    {
        ArgumentNullException.ThrowIfNull(prior);
        ArgumentNullException.ThrowIfNull(likelihood);
        var joint = prior * likelihood;
        var evidence = joint.Sum(-1, keepDims: true);
        if (evidence.Detach().Eq(0f).Sum().Item() > 0) throw new ArgumentException("Bayes.Posterior: the evidence is 0 for some row (impossible under every hypothesis).");
        return joint / evidence;
    }
}
