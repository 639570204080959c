namespace Nabla.NN;

/// <summary>
/// Layer normalisation (Ba et al., 2016) over the trailing axes given by normalizedShape:
/// y = (x - mean) / √(var + eps) · weight + bias, mean and the biased variance taken over those axes.
/// Input [..., *normalizedShape] -> output of the same shape. weight starts at ones and bias at zeros (PyTorch's names and defaults).
/// </summary>
public sealed class LayerNorm : Module
{
    private readonly int[] _normalizedShape;
    private readonly int[] _axes;

    public LayerNorm(int[] normalizedShape, float eps = 1e-5f, bool elementwiseAffine = true, bool bias = true)
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        if (normalizedShape.Length == 0 || normalizedShape.Any(d => d <= 0))
        {
            throw new ArgumentException($"LayerNorm: normalizedShape must be a non-empty list of positive sizes; got {Shape.Format(normalizedShape)}.");
        }
        if (!(eps > 0f)) throw new ArgumentException($"LayerNorm: eps must be positive; got {eps}.");
        _normalizedShape = (int[])normalizedShape.Clone();
        _axes = Enumerable.Range(-normalizedShape.Length, normalizedShape.Length).ToArray();
        Eps = eps;
        if (elementwiseAffine)
        {
            Weight = AddParameter("weight", Tensor.Ones(normalizedShape));
            if (bias) Bias = AddParameter("bias", Tensor.Zeros(normalizedShape));
        }
    }

    /// <summary>Normalises over the last axis of size <paramref name="normalizedShape"/>.</summary>
    public LayerNorm(int normalizedShape, float eps = 1e-5f, bool elementwiseAffine = true, bool bias = true)
        : this([normalizedShape], eps, elementwiseAffine, bias)
    {
    }

    public IReadOnlyList<int> NormalizedShape => _normalizedShape;
    public float Eps { get; }
    public Tensor? Weight { get; }
    public Tensor? Bias { get; }

    protected override Tensor Compute(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var k = _normalizedShape.Length;
        if (input.Rank < k || !input.Shape.Dims.AsSpan(input.Rank - k).SequenceEqual(_normalizedShape))
        {
            throw new ArgumentException($"LayerNorm: input {input.Shape} must end in the normalized shape {Shape.Format(_normalizedShape)}.");
        }
        var centred = input - input.Mean(_axes, keepDims: true);
        var variance = (centred * centred).Mean(_axes, keepDims: true); // biased, as in the paper and PyTorch
        var y = centred * (variance + Eps).Rsqrt();
        if (Weight is not null) y *= Weight;
        if (Bias is not null) y += Bias;
        return y;
    }

    public override string Describe() =>
        $"LayerNorm({Shape.Format(_normalizedShape)}, eps={Eps}{(Weight is null ? ", no affine" : Bias is null ? ", no bias" : "")})";
}
