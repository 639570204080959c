namespace Nabla.NN;

/// <summary>The non-linearity that follows a layer, for the gain of Xavier and Kaiming initialisation.</summary>
public enum Nonlinearity { Linear, Sigmoid, Tanh, Relu, LeakyRelu, Selu }

/// <summary>Whether Kaiming initialisation preserves the variance of the forward pass (fan-in) or of the backward pass (fan-out).</summary>
public enum FanMode { FanIn, FanOut }

/// <summary>
/// Fills a weight tensor in place with starting values. Fans follow PyTorch: for a weight
/// [out, in, k...] fan-in = in·Πk and fan-out = out·Πk. Draws come from the given generator or the
/// thread's default one, so a seed fixes them.
/// </summary>
public abstract class Initializer
{
    /// <summary>The name listed by <c>nabla list initializers</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Overwrites <paramref name="tensor"/> with fresh values.</summary>
    public void Initialize(Tensor tensor, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using (Autograd.NoGrad()) tensor.CopyFrom(Sample(tensor.Shape, generator ?? Generator.Default));
    }

    protected abstract Tensor Sample(Shape shape, Generator generator);

    public override string ToString() => Name;

    // ---- the catalogue ----------------------------------------------------------------------------

    public static Initializer Zeros { get; } = new ConstantInit("zeros", 0f);
    public static Initializer Ones { get; } = new ConstantInit("ones", 1f);
    public static Initializer Constant(float value) => new ConstantInit("constant", value);

    /// <summary>U(low, high).</summary>
    public static Initializer Uniform(float low = 0f, float high = 1f) => new UniformInit("uniform", _ => (low, high));

    /// <summary>N(mean, std²).</summary>
    public static Initializer Normal(float mean = 0f, float std = 1f) => new NormalInit("normal", _ => (mean, std));

    /// <summary>Glorot and Bengio (2010): U(±gain·√(6 / (fanIn + fanOut))).</summary>
    public static Initializer XavierUniform(float gain = 1f) => new UniformInit("xavier_uniform", s =>
    {
        var (fanIn, fanOut) = Fans(s);
        var a = gain * MathF.Sqrt(6f / (fanIn + fanOut));
        return (-a, a);
    });

    /// <summary>Glorot and Bengio (2010): N(0, gain²·2 / (fanIn + fanOut)).</summary>
    public static Initializer XavierNormal(float gain = 1f) => new NormalInit("xavier_normal", s =>
    {
        var (fanIn, fanOut) = Fans(s);
        return (0f, gain * MathF.Sqrt(2f / (fanIn + fanOut)));
    });

    /// <summary>He et al. (2015): U(±gain·√(3 / fan)), gain from the non-linearity (negative slope <paramref name="a"/> for leaky ReLU).</summary>
    public static Initializer KaimingUniform(float a = 0f, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu) =>
        new UniformInit("kaiming_uniform", s =>
        {
            var bound = Gain(nonlinearity, a) * MathF.Sqrt(3f / Fan(s, mode));
            return (-bound, bound);
        });

    /// <summary>He et al. (2015): N(0, gain² / fan).</summary>
    public static Initializer KaimingNormal(float a = 0f, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu) =>
        new NormalInit("kaiming_normal", s => (0f, Gain(nonlinearity, a) / MathF.Sqrt(Fan(s, mode))));

    /// <summary>Saxe et al. (2014): a (semi-)orthogonal matrix times <paramref name="gain"/>, trailing axes flattened.</summary>
    public static Initializer Orthogonal(float gain = 1f) => new OrthogonalInit(gain);

    /// <summary>Every initialiser by name, with default arguments.</summary>
    public static IReadOnlyList<Initializer> All { get; } =
    [
        Zeros, Ones, Constant(0f), Uniform(), Normal(), XavierUniform(), XavierNormal(), KaimingUniform(), KaimingNormal(), Orthogonal(),
    ];

    // ---- helpers ----------------------------------------------------------------------------------

    /// <summary>The recommended gain for a non-linearity (PyTorch's calculate_gain).</summary>
    public static float Gain(Nonlinearity nonlinearity, float negativeSlope = 0.01f) => nonlinearity switch
    {
        Nonlinearity.Linear or Nonlinearity.Sigmoid => 1f,
        Nonlinearity.Tanh => 5f / 3f,
        Nonlinearity.Relu => MathF.Sqrt(2f),
        Nonlinearity.LeakyRelu => MathF.Sqrt(2f / (1f + negativeSlope * negativeSlope)),
        Nonlinearity.Selu => 0.75f,
        _ => throw new ArgumentOutOfRangeException(nameof(nonlinearity), nonlinearity, "unknown non-linearity"),
    };

    /// <summary>(fan-in, fan-out) of a weight of this shape; needs at least two axes.</summary>
    public static (int FanIn, int FanOut) Fans(Shape shape)
    {
        if (shape.Rank < 2)
        {
            throw new ArgumentException($"Initializer: fan-in and fan-out need a weight with at least 2 axes; got shape {shape}.");
        }
        var receptive = 1;
        for (var i = 2; i < shape.Rank; i++) receptive *= shape[i];
        return (shape[1] * receptive, shape[0] * receptive);
    }

    private static int Fan(Shape shape, FanMode mode)
    {
        var (fanIn, fanOut) = Fans(shape);
        var fan = mode == FanMode.FanIn ? fanIn : fanOut;
        if (fan == 0) throw new ArgumentException($"Initializer: a weight of shape {shape} has a fan of 0.");
        return fan;
    }

    private sealed class ConstantInit(string name, float value) : Initializer
    {
        public override string Name => name;
        protected override Tensor Sample(Shape shape, Generator generator) => Tensor.Full(shape.Dims, value);
    }

    private sealed class UniformInit(string name, Func<Shape, (float Low, float High)> bounds) : Initializer
    {
        public override string Name => name;

        protected override Tensor Sample(Shape shape, Generator generator)
        {
            var (low, high) = bounds(shape);
            return Tensor.Rand(shape.Dims, generator) * (high - low) + low;
        }
    }

    private sealed class NormalInit(string name, Func<Shape, (float Mean, float Std)> moments) : Initializer
    {
        public override string Name => name;

        protected override Tensor Sample(Shape shape, Generator generator)
        {
            var (mean, std) = moments(shape);
            return Tensor.Randn(shape.Dims, generator) * std + mean;
        }
    }

    private sealed class OrthogonalInit(float gain) : Initializer
    {
        public override string Name => "orthogonal";

        protected override Tensor Sample(Shape shape, Generator generator)
        {
            if (shape.Rank < 2) throw new ArgumentException($"Initializer orthogonal: needs at least 2 axes; got shape {shape}.");
            int rows = shape[0], cols = shape.Count / Math.Max(rows, 1);
            // Orthonormalise the columns of a tall Gaussian matrix (modified Gram-Schmidt, i.e. the Q of
            // its QR decomposition with R's diagonal made positive), transposing for wide shapes.
            var tall = rows >= cols;
            int m = tall ? rows : cols, n = tall ? cols : rows;
            var q = new double[m, n];
            for (var i = 0; i < m; i++)
            for (var j = 0; j < n; j++) q[i, j] = generator.NextGaussian();
            for (var j = 0; j < n; j++)
            {
                for (var k = 0; k < j; k++)
                {
                    double dot = 0;
                    for (var i = 0; i < m; i++) dot += q[i, k] * q[i, j];
                    for (var i = 0; i < m; i++) q[i, j] -= dot * q[i, k];
                }
                double norm = 0;
                for (var i = 0; i < m; i++) norm += q[i, j] * q[i, j];
                norm = Math.Sqrt(norm);
                for (var i = 0; i < m; i++) q[i, j] /= norm;
            }
            var data = new float[shape.Count];
            for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++) data[r * cols + c] = (float)(gain * (tall ? q[r, c] : q[c, r]));
            return Tensor.FromArray(data, shape.Dims);
        }
    }
}
