namespace Nabla.NN;

/// <summary>
/// Multi-head attention (Vaswani et al., 2017): each of numHeads heads attends with its own slice of the
/// projected query, key and value, and out_proj mixes the concatenated heads.
/// Query [L, N, E], key [S, N, kdim], value [S, N, vdim] (batch first with batchFirst; unbatched [L, E] also works)
/// -> output [L, N, E] and weights [N, L, S] (averaged over heads) or [N, heads, L, S].
/// <para>
/// Parameters follow PyTorch's nn.MultiheadAttention so state dicts load by name: <c>in_proj_weight</c> [3E, E]
/// (or <c>q_proj_weight</c> [E, E], <c>k_proj_weight</c> [E, kdim], <c>v_proj_weight</c> [E, vdim] when kdim or vdim
/// differ from E), <c>in_proj_bias</c> [3E], and the child Linear <c>out_proj</c>. Projections start Xavier-uniform,
/// biases at zero. Masks use the convention of <see cref="Attention"/>: non-zero = not allowed.
/// </para>
/// </summary>
public sealed class MultiHeadAttention : Module
{
    private readonly Generator? _generator;

    public MultiHeadAttention(int embedDim, int numHeads, bool bias = true, float dropout = 0f, int? kdim = null, int? vdim = null,
        bool batchFirst = false, Generator? generator = null)
    {
        if (embedDim <= 0 || numHeads <= 0) throw new ArgumentException($"MultiHeadAttention: embedDim and numHeads must be positive; got {embedDim} and {numHeads}.");
        if (embedDim % numHeads != 0) throw new ArgumentException($"MultiHeadAttention: embedDim {embedDim} must be divisible by numHeads {numHeads}.");
        if (kdim <= 0 || vdim <= 0) throw new ArgumentException($"MultiHeadAttention: kdim and vdim must be positive; got {kdim} and {vdim}.");
        if (!(dropout >= 0f && dropout <= 1f)) throw new ArgumentException($"MultiHeadAttention: dropout must be in [0, 1]; got {dropout}.");
        EmbedDim = embedDim;
        NumHeads = numHeads;
        KDim = kdim ?? embedDim;
        VDim = vdim ?? embedDim;
        Dropout = dropout;
        BatchFirst = batchFirst;
        _generator = generator;

        var xavier = Initializer.XavierUniform();
        if (KDim == embedDim && VDim == embedDim)
        {
            InProjWeight = AddParameter("in_proj_weight", Tensor.Zeros(3 * embedDim, embedDim));
            xavier.Initialize(InProjWeight, generator); // one [3E, E] matrix, as PyTorch initialises it
        }
        else
        {
            QProjWeight = AddParameter("q_proj_weight", Tensor.Zeros(embedDim, embedDim));
            KProjWeight = AddParameter("k_proj_weight", Tensor.Zeros(embedDim, KDim));
            VProjWeight = AddParameter("v_proj_weight", Tensor.Zeros(embedDim, VDim));
            foreach (var w in new[] { QProjWeight, KProjWeight, VProjWeight }) xavier.Initialize(w, generator);
        }
        if (bias) InProjBias = AddParameter("in_proj_bias", Tensor.Zeros(3 * embedDim));
        OutProj = Add("out_proj", new Linear(embedDim, embedDim, bias, generator: generator));
        if (OutProj.Bias is not null) Initializer.Zeros.Initialize(OutProj.Bias);
    }

    public int EmbedDim { get; }
    public int NumHeads { get; }
    public int HeadDim => EmbedDim / NumHeads;
    public int KDim { get; }
    public int VDim { get; }

    /// <summary>Dropout probability on the attention weights, in training mode only.</summary>
    public float Dropout { get; }

    public bool BatchFirst { get; }

    /// <summary>[3E, E] packed query/key/value projection, or null when kdim or vdim differ from E.</summary>
    public Tensor? InProjWeight { get; }
    public Tensor? QProjWeight { get; }
    public Tensor? KProjWeight { get; }
    public Tensor? VProjWeight { get; }
    public Tensor? InProjBias { get; }
    public Linear OutProj { get; }

    /// <summary>Self-attention without masks: input [L, N, E] (or [N, L, E] with batchFirst) -> output of the same shape.</summary>
    protected override Tensor Compute(Tensor input) => Forward(input, input, input, needWeights: false).Output;

    /// <summary>
    /// Attends from every query position to the key positions.
    /// </summary>
    /// <param name="query">[L, N, E] ([N, L, E] with batchFirst, [L, E] unbatched).</param>
    /// <param name="key">[S, N, kdim] (likewise).</param>
    /// <param name="value">[S, N, vdim] (likewise).</param>
    /// <param name="attnMask">[L, S] or [N·heads, L, S]; non-zero = query i may not attend to key j.</param>
    /// <param name="keyPaddingMask">[N, S] ([S] unbatched); non-zero = key j is padding, ignored by every query.</param>
    /// <param name="needWeights">Return the attention weights (else Weights is null).</param>
    /// <param name="averageWeights">Average the weights over heads ([N, L, S]) rather than per head ([N, heads, L, S]).</param>
    /// <returns>Output [L, N, E] ([N, L, E] with batchFirst, [L, E] unbatched); queries whose keys are all masked give the output of a zero attention vector, i.e. out_proj's bias.</returns>
    public (Tensor Output, Tensor? Weights) Forward(Tensor query, Tensor key, Tensor value, Tensor? attnMask = null, Tensor? keyPaddingMask = null,
        bool needWeights = true, bool averageWeights = true)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var unbatched = query.Rank == 2;
        var (q, k, v) = ToBatchFirst(query, key, value, unbatched); // [N, L, E], [N, S, kdim], [N, S, vdim]
        int batch = q.Shape[0], queries = q.Shape[1], keys = k.Shape[1];

        Tensor qp, kp, vp;
        if (InProjWeight is not null && ReferenceEquals(query, key) && ReferenceEquals(key, value))
        {
            var qkv = Functional.Linear(q, InProjWeight, InProjBias); // self-attention: one product [N, L, 3E]
            (qp, kp, vp) = (qkv.Narrow(-1, 0, EmbedDim), qkv.Narrow(-1, EmbedDim, EmbedDim), qkv.Narrow(-1, 2 * EmbedDim, EmbedDim));
        }
        else
        {
            qp = Functional.Linear(q, ProjectionWeight(0), InProjBias?.Narrow(0, 0, EmbedDim));
            kp = Functional.Linear(k, ProjectionWeight(1), InProjBias?.Narrow(0, EmbedDim, EmbedDim));
            vp = Functional.Linear(v, ProjectionWeight(2), InProjBias?.Narrow(0, 2 * EmbedDim, EmbedDim));
        }

        var mask = CombineMasks(attnMask, keyPaddingMask, batch, queries, keys, unbatched, query.Shape, key.Shape); // [N or 1, heads or 1, L, S]
        var (heads, weights) = Attention.ScaledDotProductWithWeights(SplitHeads(qp), SplitHeads(kp), SplitHeads(vp), mask,
            dropout: IsTraining ? Dropout : 0f, generator: _generator); // [N, heads, L, d], [N, heads, L, S]
        var merged = heads.Permute(0, 2, 1, 3).Reshape(batch, queries, EmbedDim); // [N, L, E]
        var output = OutProj.Forward(merged);
        output = unbatched ? output.Squeeze(0) : BatchFirst ? output : output.Transpose(0, 1);

        if (!needWeights) return (output, null);
        var w = averageWeights ? weights.Mean(1) : weights;
        return (output, unbatched ? w.Squeeze(0) : w);
    }

    public override string Describe() => $"MultiHeadAttention(embed={EmbedDim}, heads={NumHeads}{(KDim != EmbedDim || VDim != EmbedDim ? $", kdim={KDim}, vdim={VDim}" : "")}" +
        $"{(InProjBias is null ? ", no bias" : "")}{(Dropout > 0f ? $", dropout={Dropout}" : "")}{(BatchFirst ? ", batchFirst" : "")})";

    private Tensor ProjectionWeight(int which) => InProjWeight is { } packed
        ? packed.Narrow(0, which * EmbedDim, EmbedDim)
        : which switch { 0 => QProjWeight!, 1 => KProjWeight!, _ => VProjWeight! };

    /// <summary>[N, T, E] -> [N, heads, T, E/heads].</summary>
    private Tensor SplitHeads(Tensor x) => x.Reshape(x.Shape[0], x.Shape[1], NumHeads, HeadDim).Permute(0, 2, 1, 3);

    private (Tensor Q, Tensor K, Tensor V) ToBatchFirst(Tensor query, Tensor key, Tensor value, bool unbatched)
    {
        var rank = unbatched ? 2 : 3;
        var layout = unbatched ? "unbatched [L, E]" : BatchFirst ? "[N, L, E]" : "[L, N, E]";
        if (query.Rank is not (2 or 3) || key.Rank != rank || value.Rank != rank)
        {
            throw new ArgumentException($"MultiHeadAttention: query, key and value must all be {(unbatched ? "2-D (unbatched)" : "3-D")} ({layout}); " +
                $"got {query.Shape}, {key.Shape} and {value.Shape}.");
        }
        if (query.Shape[-1] != EmbedDim || key.Shape[-1] != KDim || value.Shape[-1] != VDim)
        {
            throw new ArgumentException($"MultiHeadAttention: query, key and value must end in {EmbedDim}, {KDim} and {VDim}; " +
                $"got {query.Shape}, {key.Shape} and {value.Shape}.");
        }
        Tensor Arrange(Tensor t) => unbatched ? t.Unsqueeze(0) : BatchFirst ? t : t.Transpose(0, 1);
        var (q, k, v) = (Arrange(query), Arrange(key), Arrange(value));
        if (k.Shape[1] != v.Shape[1] || q.Shape[0] != k.Shape[0] || k.Shape[0] != v.Shape[0])
        {
            throw new ArgumentException($"MultiHeadAttention: key and value must have the same length S and query, key and value the same batch size " +
                $"({layout}); got {query.Shape}, {key.Shape} and {value.Shape}.");
        }
        return (q, k, v);
    }

    private Tensor? CombineMasks(Tensor? attnMask, Tensor? keyPaddingMask, int batch, int queries, int keys, bool unbatched, Shape queryShape, Shape keyShape)
    {
        Tensor? blocked = null;
        if (attnMask is not null)
        {
            if (attnMask.Rank == 2 && attnMask.Shape[0] == queries && attnMask.Shape[1] == keys)
            {
                blocked = attnMask.Ne(0f); // [L, S]
            }
            else if (attnMask.Rank == 3 && attnMask.Shape[0] == batch * NumHeads && attnMask.Shape[1] == queries && attnMask.Shape[2] == keys)
            {
                blocked = attnMask.Ne(0f).Reshape(batch, NumHeads, queries, keys);
            }
            else
            {
                throw new ArgumentException($"MultiHeadAttention: attnMask must be [L, S] = [{queries}, {keys}] or [N·heads, L, S] = [{batch * NumHeads}, {queries}, {keys}] " +
                    $"for query {queryShape} and key {keyShape}; got {attnMask.Shape}.");
            }
        }
        if (keyPaddingMask is not null)
        {
            var expected = unbatched ? new Shape(keys) : new Shape(batch, keys);
            if (keyPaddingMask.Shape != expected)
            {
                throw new ArgumentException($"MultiHeadAttention: keyPaddingMask must be {expected} ({(unbatched ? "S" : "N, S")}) for key {keyShape}; got {keyPaddingMask.Shape}.");
            }
            var padding = keyPaddingMask.Ne(0f).Reshape(batch, 1, 1, keys);
            blocked = blocked is null ? padding : Tensor.Maximum(blocked, padding);
        }
        return blocked;
    }
}
