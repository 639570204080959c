namespace Nabla.NN;

/// <summary>Inverted dropout (Srivastava et al., 2014): in training, zeroes elements with probability p and scales the rest by 1/(1-p); identity in eval.</summary>
public sealed class Dropout : Module
{
    private readonly Generator? _generator;

    public Dropout(float p = 0.5f, Generator? generator = null)
    {
        if (!(p >= 0f && p <= 1f)) throw new ArgumentException($"Dropout: p must be in [0, 1]; got {p}.");
        P = p;
        _generator = generator;
    }

    public float P { get; }

    protected override Tensor Compute(Tensor input) => Functional.Dropout(input, P, IsTraining, _generator);

    public override string Describe() => $"Dropout(p={P})";
}

/// <summary>Channel dropout on [N, C, ...]: whole feature maps are zeroed together in training; identity in eval.</summary>
public sealed class Dropout2d : Module
{
    private readonly Generator? _generator;

    public Dropout2d(float p = 0.5f, Generator? generator = null)
    {
        if (!(p >= 0f && p <= 1f)) throw new ArgumentException($"Dropout2d: p must be in [0, 1]; got {p}.");
        P = p;
        _generator = generator;
    }

    public float P { get; }

    protected override Tensor Compute(Tensor input) => Functional.Dropout2d(input, P, IsTraining, _generator);

    public override string Describe() => $"Dropout2d(p={P})";
}
