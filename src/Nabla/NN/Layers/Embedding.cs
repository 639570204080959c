namespace Nabla.NN;

/// <summary>
/// A lookup table of learned vectors: integer indices of any shape [...] -> [..., embeddingDim].
/// Weight [numEmbeddings, embeddingDim] starts from N(0, 1) (PyTorch's default); the optional padding
/// index's row starts at zero and receives no gradient.
/// </summary>
public sealed class Embedding : Module
{
    public Embedding(int numEmbeddings, int embeddingDim, int? paddingIndex = null, Initializer? weightInit = null, Generator? generator = null)
    {
        if (numEmbeddings <= 0 || embeddingDim <= 0)
        {
            throw new ArgumentException($"Embedding: numEmbeddings and embeddingDim must be positive; got {numEmbeddings} and {embeddingDim}.");
        }
        if (paddingIndex is { } p && (p < 0 || p >= numEmbeddings))
        {
            throw new ArgumentException($"Embedding: paddingIndex {p} must be in [0, {numEmbeddings}).");
        }
        (NumEmbeddings, EmbeddingDim, PaddingIndex) = (numEmbeddings, embeddingDim, paddingIndex);
        Weight = AddParameter("weight", Tensor.Zeros(numEmbeddings, embeddingDim));
        (weightInit ?? Initializer.Normal()).Initialize(Weight, generator);
        if (paddingIndex is { } pad)
        {
            using (Autograd.NoGrad()) Weight.Select(0, pad).FillInPlace(0f);
        }
    }

    public int NumEmbeddings { get; }
    public int EmbeddingDim { get; }
    public int? PaddingIndex { get; }
    public Tensor Weight { get; }

    protected override Tensor Compute(Tensor input)
    {
        foreach (var v in input.ToArray())
        {
            if (v != MathF.Floor(v) || v < 0 || v >= NumEmbeddings)
            {
                throw new ArgumentException($"Embedding({NumEmbeddings}, {EmbeddingDim}): index {v} is invalid; indices must be whole numbers in [0, {NumEmbeddings}).");
            }
        }
        var rows = Weight.IndexSelect(0, input.Reshape(-1));                    // [count, dim]
        if (PaddingIndex is { } pad) rows *= input.Reshape(-1, 1).Ne(pad);     // no gradient into the padding row
        return rows.Reshape([.. input.Shape.ToArray(), EmbeddingDim]);        // [..., dim]
    }

    public override string Describe() => $"Embedding({NumEmbeddings}, {EmbeddingDim})";
}
