using Nabla.NN;

namespace Nabla.Tests.NN;

public class InitializerTests
{
    private static (double Mean, double Std, double Min, double Max) Stats(Tensor t)
    {
        var v = t.ToArray();
        var mean = v.Average(x => (double)x);
        var std = Math.Sqrt(v.Average(x => (x - mean) * (x - mean)));
        return (mean, std, v.Min(), v.Max());
    }

    public static TheoryData<string, double> UniformBounds() => new()
    {
        // weight [200, 100, 3, 3]: fanIn = 900, fanOut = 1800.
        { "xavier_uniform", Math.Sqrt(6.0 / (900 + 1800)) },
        { "kaiming_uniform_relu_fan_in", Math.Sqrt(2) * Math.Sqrt(3.0 / 900) },
        { "kaiming_uniform_relu_fan_out", Math.Sqrt(2) * Math.Sqrt(3.0 / 1800) },
        { "kaiming_uniform_default", 1 / Math.Sqrt(900) }, // a = √5 gives PyTorch's 1/√fanIn
    };

    private static Initializer Named(string name) => name switch
    {
        "xavier_uniform" => Initializer.XavierUniform(),
        "kaiming_uniform_relu_fan_in" => Initializer.KaimingUniform(nonlinearity: Nonlinearity.Relu),
        "kaiming_uniform_relu_fan_out" => Initializer.KaimingUniform(mode: FanMode.FanOut, nonlinearity: Nonlinearity.Relu),
        "kaiming_uniform_default" => Initializer.KaimingUniform(a: MathF.Sqrt(5f)),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(UniformBounds))]
    public void Uniform_initialisers_fill_their_interval_with_the_uniform_spread(string name, double bound)
    {
        var w = Tensor.Zeros(200, 100, 3, 3);
        Named(name).Initialize(w, new Generator(1));
        var (mean, std, min, max) = Stats(w);
        Assert.InRange(max, bound * 0.999, bound);
        Assert.InRange(min, -bound, -bound * 0.999);
        Assert.InRange(mean, -0.01 * bound, 0.01 * bound);
        Assert.InRange(std, bound / Math.Sqrt(3) * 0.99, bound / Math.Sqrt(3) * 1.01); // U(-a, a) has std a/√3
    }

    [Fact]
    public void Normal_initialisers_have_the_formula_standard_deviation()
    {
        var w = Tensor.Zeros(300, 200);
        (Initializer Init, double Std)[] rows =
        [
            (Initializer.Normal(0.5f, 2f), 2),
            (Initializer.XavierNormal(gain: 2f), 2 * Math.Sqrt(2.0 / 500)),
            (Initializer.KaimingNormal(nonlinearity: Nonlinearity.Relu), Math.Sqrt(2.0 / 200)),
            (Initializer.KaimingNormal(a: 0.2f, mode: FanMode.FanOut), Math.Sqrt(2 / 1.04) / Math.Sqrt(300)),
        ];
        foreach (var (init, expectedStd) in rows)
        {
            init.Initialize(w, new Generator(2));
            var (mean, std, _, _) = Stats(w);
            Assert.InRange(std, expectedStd * 0.98, expectedStd * 1.02);
            var expectedMean = init.Name == "normal" ? 0.5 : 0;
            Assert.InRange(mean, expectedMean - 0.01 * expectedStd * 10, expectedMean + 0.01 * expectedStd * 10);
        }
    }

    [Fact]
    public void Constants_and_zeros()
    {
        var w = Tensor.Ones(3, 4);
        Initializer.Zeros.Initialize(w);
        Assert.All(w.ToArray(), v => Assert.Equal(0f, v));
        Initializer.Constant(0.25f).Initialize(w);
        Assert.All(w.ToArray(), v => Assert.Equal(0.25f, v));
    }

    [Theory]
    [InlineData(6, 4)]
    [InlineData(4, 6)]
    [InlineData(5, 5)]
    public void Orthogonal_gives_orthonormal_rows_or_columns(int rows, int cols)
    {
        var w = Tensor.Zeros(rows, cols);
        Initializer.Orthogonal(gain: 2f).Initialize(w, new Generator(3));
        var small = Math.Min(rows, cols);
        var gram = rows >= cols ? w.T.MatMul(w) : w.MatMul(w.T); // [small, small] = 4·I
        Assert.True(gram.AllClose(Tensor.Eye(small) * 4f, atol: 1e-4f), gram.ToString());
    }

    [Fact]
    public void Gains_follow_the_usual_table()
    {
        Assert.Equal(1f, Initializer.Gain(Nonlinearity.Sigmoid));
        Assert.Equal(5f / 3f, Initializer.Gain(Nonlinearity.Tanh));
        Assert.Equal(MathF.Sqrt(2f), Initializer.Gain(Nonlinearity.Relu));
        Assert.Equal(MathF.Sqrt(2f / 1.0001f), Initializer.Gain(Nonlinearity.LeakyRelu));
        Assert.Equal(0.75f, Initializer.Gain(Nonlinearity.Selu));
        Assert.Equal((12, 4), Initializer.Fans(new Shape(2, 3, 2, 2)) is var f ? (f.FanIn, f.FanOut / 2) : default);
    }

    [Fact]
    public void Seeded_initialisation_is_reproducible_and_fans_need_two_axes()
    {
        var a = new Linear(10, 5, generator: new Generator(9));
        var b = new Linear(10, 5, generator: new Generator(9));
        Assert.True(a.Weight.ValueEquals(b.Weight));
        Assert.True(a.Bias!.ValueEquals(b.Bias!));
        var error = Assert.Throws<ArgumentException>(() => Initializer.XavierUniform().Initialize(Tensor.Zeros(5)));
        Assert.Contains("at least 2 axes", error.Message);
    }

    [Fact]
    public void Zero_initialisation_keeps_hidden_units_identical_so_they_never_differentiate()
    {
        // The symmetry problem: with every weight equal, all hidden units get the same gradient
        // and stay copies of each other however long the network trains.
        var hidden = new Linear(3, 4, weightInit: Initializer.Zeros, biasInit: Initializer.Zeros);
        var output = new Linear(4, 1, weightInit: Initializer.Constant(0.5f), biasInit: Initializer.Zeros);
        var x = Tensor.Randn([16, 3], new Generator(10));
        var y = Tensor.Randn([16, 1], new Generator(11));
        for (var step = 0; step < 50; step++)
        {
            var loss = (output.Forward(hidden.Forward(x).Tanh()) - y).Pow(2f).Mean();
            hidden.ZeroGrad();
            output.ZeroGrad();
            loss.Backward();
            using (Autograd.NoGrad())
            {
                foreach (var p in hidden.Parameters().Concat(output.Parameters())) p.SubInPlace(p.Grad! * 0.1f);
            }
        }
        var rows = hidden.Weight.ToArray().Chunk(3).ToArray();
        Assert.All(rows, r => Assert.Equal(rows[0], r));
        Assert.NotEqual(0f, rows[0].Select(MathF.Abs).Sum()); // they did learn, in lockstep
    }
}
