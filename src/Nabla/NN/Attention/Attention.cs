namespace Nabla.NN;

/// <summary>
/// Scaled dot-product attention (Vaswani et al., 2017) as plain functions of tensors:
/// softmax(Q·Kᵀ/√d)·V for query [..., L, d], key [..., S, d], value [..., S, dv] -> [..., L, dv].
/// <para>
/// Masks are boolean-valued floats: a non-zero entry means "this query may not attend to this key"
/// (PyTorch's bool convention, True = not allowed). A float mask of 0 and -∞, such as PyTorch's
/// generate_square_subsequent_mask, therefore means the same here. Additive float biases are not masks:
/// add them to the scores yourself.
/// </para>
/// <para>
/// A query whose keys are all masked gets all-zero weights and a zero output (not NaN), and no gradient
/// flows through that row; check your masks if that is not what you meant.
/// </para>
/// </summary>
public static class Attention
{
    /// <summary>softmax(Q·Kᵀ/√d [+ mask])·V: query [..., L, d], key [..., S, d], value [..., S, dv] -> [..., L, dv] (batch axes broadcast).</summary>
    /// <param name="query">[..., L, d].</param>
    /// <param name="key">[..., S, d].</param>
    /// <param name="value">[..., S, dv].</param>
    /// <param name="mask">Non-zero = blocked; any shape that broadcasts to the scores [..., L, S].</param>
    /// <param name="causal">Also block keys after the query's position (j &gt; i; the top-left aligned lower triangle when L ≠ S).</param>
    /// <param name="dropout">Dropout probability on the attention weights, applied whenever it is positive (pass 0 in evaluation).</param>
    /// <param name="generator">Random source for the dropout (default: the thread's generator).</param>
    public static Tensor ScaledDotProduct(Tensor query, Tensor key, Tensor value, Tensor? mask = null, bool causal = false,
        float dropout = 0f, Generator? generator = null) =>
        ScaledDotProductWithWeights(query, key, value, mask, causal, dropout, generator).Output;

    /// <summary>As <see cref="ScaledDotProduct"/>, also returning the attention weights [..., L, S] (after dropout, as used).</summary>
    public static (Tensor Output, Tensor Weights) ScaledDotProductWithWeights(Tensor query, Tensor key, Tensor value, Tensor? mask = null,
        bool causal = false, float dropout = 0f, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (query.Rank < 2 || key.Rank < 2 || value.Rank < 2)
        {
            throw new ArgumentException($"Attention: query, key and value need at least 2 axes ([..., L, d], [..., S, d], [..., S, dv]); got {query.Shape}, {key.Shape} and {value.Shape}.");
        }
        if (query.Shape[-1] != key.Shape[-1])
        {
            throw new ArgumentException($"Attention: query {query.Shape} and key {key.Shape} must have the same last axis (the dot-product size).");
        }
        if (key.Shape[-2] != value.Shape[-2])
        {
            throw new ArgumentException($"Attention: key {key.Shape} and value {value.Shape} must have the same number of positions S (axis -2).");
        }
        if (!(dropout >= 0f && dropout <= 1f)) throw new ArgumentException($"Attention: dropout must be in [0, 1]; got {dropout}.");

        int queries = query.Shape[-2], keys = key.Shape[-2];
        var scale = 1f / MathF.Sqrt(query.Shape[-1]);
        var scores = (query * scale).MatMul(key.Transpose(-1, -2)); // [..., L, S]
        var blocked = mask;
        if (causal)
        {
            var triangle = CausalMask(queries, keys);
            blocked = blocked is null ? triangle : Tensor.Maximum(blocked.Ne(0f), triangle);
        }
        if (blocked is not null) CheckMask(blocked, scores.Shape);
        var weights = MaskedSoftmax(scores, blocked); // [..., L, S]
        if (dropout > 0f) weights = Functional.Dropout(weights, dropout, training: true, generator);
        return (weights.MatMul(value), weights); // [..., L, dv]
    }

    /// <summary>
    /// Softmax along <paramref name="axis"/> over the entries whose mask is 0 (stable: the row maximum is subtracted).
    /// Blocked entries get weight 0; a row with every entry blocked is all zeros rather than NaN.
    /// </summary>
    public static Tensor MaskedSoftmax(Tensor scores, Tensor? mask, int axis = -1)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (mask is null) return Functional.Softmax(scores, axis);
        var filled = Tensor.Where(mask.Ne(0f), Tensor.Scalar(float.NegativeInfinity), scores);
        var max = filled.Max(axis, keepDims: true).Detach();
        max = max.MaskedFill(max.Eq(float.NegativeInfinity), 0f); // fully blocked rows: avoid -∞ - (-∞)
        var e = (filled - max).Exp();                              // blocked entries: e^(-∞) = 0
        var sum = e.Sum(axis, keepDims: true);
        return e / sum.MaskedFill(sum.Eq(0f), 1f);                // only a fully blocked row sums to 0: 0/1 = 0
    }

    /// <summary>[L, S] mask blocking the future: 1 where key j comes after query i (j &gt; i), 0 elsewhere.</summary>
    public static Tensor CausalMask(int queryLength, int? keyLength = null)
    {
        var keys = keyLength ?? queryLength;
        if (queryLength < 0 || keys < 0) throw new ArgumentException($"Attention.CausalMask: lengths must not be negative; got {queryLength} and {keys}.");
        var data = new float[queryLength * keys];
        for (var i = 0; i < queryLength; i++)
        for (var j = i + 1; j < keys; j++) data[i * keys + j] = 1f;
        return Tensor.FromArray(data, queryLength, keys);
    }

    private static void CheckMask(Tensor mask, Shape scores)
    {
        var ok = mask.Rank <= scores.Rank;
        for (var d = 1; ok && d <= mask.Rank; d++) ok = mask.Shape[-d] == 1 || mask.Shape[-d] == scores[-d];
        if (!ok) throw new ArgumentException($"Attention: mask {mask.Shape} must broadcast to the scores [..., L, S] = {scores}.");
    }
}
