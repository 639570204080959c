namespace Nabla.NN;

/// <summary>
/// Fully connected layer: input [..., inFeatures] -> output [..., outFeatures], y = x·Wᵀ + b.
/// Weight [out, in] and bias [out] start from U(±1/√in), PyTorch's default, unless initialisers are given.
/// </summary>
public sealed class Linear : Module
{
    public Linear(int inFeatures, int outFeatures, bool bias = true, Initializer? weightInit = null, Initializer? biasInit = null, Generator? generator = null)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
        {
            throw new ArgumentException($"Linear: inFeatures and outFeatures must be positive; got {inFeatures} and {outFeatures}.");
        }
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = AddParameter("weight", Tensor.Zeros(outFeatures, inFeatures));
        (weightInit ?? Initializer.KaimingUniform(a: MathF.Sqrt(5f))).Initialize(Weight, generator);
        if (bias)
        {
            Bias = AddParameter("bias", Tensor.Zeros(outFeatures));
            var bound = 1f / MathF.Sqrt(inFeatures);
            (biasInit ?? Initializer.Uniform(-bound, bound)).Initialize(Bias, generator);
        }
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    protected override Tensor Compute(Tensor input) => Functional.Linear(input, Weight, Bias); // [..., in] -> [..., out]

    public override string Describe() => $"Linear({InFeatures} -> {OutFeatures}{(Bias is null ? ", no bias" : "")})";
}
