using Nabla.Tests.Support;

namespace Nabla.Tests.Tensors;

public class CreationTests
{
    [Fact]
    public void Constant_fills()
    {
        Assert.Equal(new float[6], Tensor.Zeros(2, 3).ToArray());
        Assert.Equal(Enumerable.Repeat(1f, 4), Tensor.Ones(2, 2).ToArray());
        Assert.Equal(Enumerable.Repeat(2.5f, 3), Tensor.Full([3], 2.5f).ToArray());
        var s = Tensor.Scalar(4f);
        Assert.Equal(0, s.Rank);
        Assert.Equal(1, s.Count);
        Assert.Equal(4f, s.Item());
        Assert.Equal(new Shape(2, 3), Tensor.ZerosLike(Tensor.Ones(2, 3)).Shape);
    }

    [Fact]
    public void Ranges()
    {
        Assert.Equal([0f, 1f, 2f, 3f], Tensor.Arange(4).ToArray());
        Assert.Equal([1f, 1.5f, 2f, 2.5f], Tensor.Arange(1f, 3f, 0.5f).ToArray());
        Assert.Equal([5f, 3f, 1f], Tensor.Arange(5f, 0f, -2f).ToArray());
        Assert.Empty(Tensor.Arange(3f, 1f).ToArray());
        Assert.Equal([0f, 0.25f, 0.5f, 0.75f, 1f], Tensor.Linspace(0f, 1f, 5).ToArray());
        Assert.Equal([2f], Tensor.Linspace(2f, 9f, 1).ToArray());
    }

    [Fact]
    public void Identity_matrices()
    {
        Assert.Equal([1f, 0f, 0f, 0f, 1f, 0f, 0f, 0f, 1f], Tensor.Eye(3).ToArray());
        var rect = Tensor.Eye(2, 3);
        Assert.Equal(new Shape(2, 3), rect.Shape);
        Assert.Equal([1f, 0f, 0f, 0f, 1f, 0f], rect.ToArray());
    }

    [Fact]
    public void From_flat_arrays_copies_the_data()
    {
        var data = new[] { 1f, 2f, 3f, 4f, 5f, 6f };
        var t = Tensor.FromArray(data, 2, 3);
        data[0] = 100f;
        Assert.Equal(1f, t[0, 0]);
        Assert.Equal(6f, t[1, 2]);
        Assert.Equal(5f, t[-1, -2]);
    }

    [Fact]
    public void From_multidimensional_arrays_of_any_numeric_type()
    {
        var heightsAndWeights = new float[,] { { 170f, 65f }, { 160f, 55f }, { 182f, 80f } };
        var t = Tensor.From(heightsAndWeights);
        Assert.Equal(new Shape(3, 2), t.Shape);
        Assert.Equal([170f, 65f, 160f, 55f, 182f, 80f], t.ToArray());
        var cube = Tensor.From(new double[,,] { { { 1, 2 } }, { { 3, 4 } } });
        Assert.Equal(new Shape(2, 1, 2), cube.Shape);
        Assert.Equal([1f, 2f, 3f, 4f], cube.ToArray());
        Assert.Equal([7f, 8f], Tensor.From(new[] { 7, 8 }).ToArray());
        var error = Assert.Throws<ArgumentException>(() => Tensor.From(new[] { "a" }));
        Assert.Contains("From: arrays of System.String are not supported", error.Message);
        Assert.Equal([1f, 0f], Tensor.From(new[,] { { true }, { false } }).ToArray());
        Assert.Equal([255f, 3f], Tensor.From(new byte[] { 255, 3 }).ToArray());
    }

    [Fact]
    public void Seeded_generators_reproduce_their_draws()
    {
        var a = Tensor.Randn([100], new Generator(42)).ToArray();
        var b = Tensor.Randn([100], new Generator(42)).ToArray();
        var c = Tensor.Randn([100], new Generator(43)).ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Generator.ManualSeed(7);
        var d = Tensor.Rand(50).ToArray();
        Generator.ManualSeed(7);
        Assert.Equal(d, Tensor.Rand(50).ToArray());
    }

    [Fact]
    public void Uniform_samples_have_the_right_range_and_moments()
    {
        var x = Tensor.Rand([200_000], new Generator(1)).ToArray();
        Assert.All(x, v => Assert.InRange(v, 0f, 0.99999994f));
        Assert.InRange(x.Average(), 0.495, 0.505);                       // mean 1/2
        Assert.InRange(x.Select(v => (v - 0.5) * (v - 0.5)).Average(), 0.0813, 0.0853); // variance 1/12
    }

    [Fact]
    public void Normal_samples_have_mean_zero_and_unit_variance()
    {
        var x = Tensor.Randn([200_000], new Generator(2));
        Assert.InRange(x.Mean().Item(), -0.01f, 0.01f);
        Assert.InRange(x.Std().Item(), 0.99f, 1.01f);
        var within1 = x.Abs().Lt(1f).Mean().Item();
        Assert.InRange(within1, 0.6783f, 0.6871f); // Φ(1) - Φ(-1) = 0.6827
    }

    [Fact]
    public void Random_integers_cover_their_range_evenly()
    {
        var x = Tensor.RandInt(-2, 3, [50_000], new Generator(3)).ToArray();
        Assert.All(x, v => Assert.InRange(v, -2f, 2f));
        foreach (var k in new[] { -2f, -1f, 0f, 1f, 2f })
        {
            Assert.InRange(x.Count(v => v == k) / 50_000.0, 0.19, 0.21);
        }
    }

    [Fact]
    public void Bernoulli_draws_ones_at_the_given_rate()
    {
        var p = Tensor.FromArray([0f, 0.3f, 1f], 3).Expand(20_000, 3).Contiguous();
        var x = Tensor.Bernoulli(p, new Generator(4));
        var rates = x.Mean(0).ToArray();
        Assert.Equal(0f, rates[0]);
        Assert.InRange(rates[1], 0.29f, 0.31f);
        Assert.Equal(1f, rates[2]);
        Assert.InRange(Tensor.Bernoulli(0.5f, [10_000], new Generator(5)).Mean().Item(), 0.48f, 0.52f);
    }
}
