using Nabla.Backends.Cpu;

namespace Nabla.Tests.Backends;

/// <summary>
/// The tanh kernel hands the library routine 0 in place of small inputs (subnormal ones slow it down) and writes
/// the Taylor series there: checked against double-precision tanh over chunk boundaries, in place and not.
/// </summary>
public class TanhKernelTests
{
    private static float[] Inputs(int length)
    {
        var rng = new Random(7);
        var x = new float[length];
        for (var i = 0; i < length; i++)
        {
            x[i] = (i % 5) switch
            {
                0 => (float)(rng.NextDouble() - 0.5) * 8f,             // ordinary values
                1 => (float)(rng.NextDouble() - 0.5) * 0.1f,           // around the series bound 0.05
                2 => (float)(rng.NextDouble() - 0.5) * 2e-38f,         // subnormal
                3 => i % 2 == 0 ? 0f : -0f,
                _ => (float)(rng.NextDouble() - 0.5) * 2e-3f,
            };
        }
        return x;
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(7, false)]
    [InlineData(1024, false)]
    [InlineData(2500, false)]
    [InlineData(2500, true)]
    [InlineData(1031, true)]
    public void Matches_double_precision_tanh(int length, bool inPlace)
    {
        var x = Inputs(length);
        var y = inPlace ? (float[])x.Clone() : new float[length];
        TanhOperator.Invoke(inPlace ? y : x, y);
        for (var i = 0; i < length; i++)
        {
            var expected = Math.Tanh(x[i]);
            // The library routine is within a few ulp (its worst just above 0.05); the series below 0.05 within one.
            Assert.True(Math.Abs(y[i] - expected) <= 1e-6 * Math.Abs(expected) + 1e-45, $"tanh({x[i]:R}) = {y[i]:R}, expected {expected:R} (element {i})");
            Assert.Equal(float.IsNegative(x[i]), float.IsNegative(y[i]));
        }
    }

    [Theory]
    [InlineData(2500, false)]
    [InlineData(1031, true)]
    public void Inputs_that_are_all_small_match_double_precision_tanh(int length, bool inPlace)
    {
        // Whole chunks below the series bound (the library routine is skipped), from 0.05 down through 2⁻¹³ to subnormals.
        var rng = new Random(9);
        var x = new float[length];
        for (var i = 0; i < length; i++) x[i] = (float)((rng.NextDouble() - 0.5) * 0.1 * Math.Pow(10, -rng.Next(0, 40)));
        var y = inPlace ? (float[])x.Clone() : new float[length];
        TanhOperator.Invoke(inPlace ? y : x, y);
        for (var i = 0; i < length; i++)
        {
            var expected = Math.Tanh(x[i]);
            Assert.True(Math.Abs(y[i] - expected) <= 1e-6 * Math.Abs(expected) + 1e-45, $"tanh({x[i]:R}) = {y[i]:R}, expected {expected:R} (element {i})");
        }
    }

    [Fact]
    public void A_subnormal_input_gives_itself()
    {
        float[] x = [1e-40f, -3e-39f, float.Epsilon, 1.1e-38f];
        var y = new float[x.Length];
        TanhOperator.Invoke(x, y);
        Assert.Equal(x, y);
    }

    [Fact]
    public void Nan_and_infinities_pass_through_as_tanh_defines_them()
    {
        float[] x = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0.01f];
        var y = new float[x.Length];
        TanhOperator.Invoke(x, y);
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal(1f, y[1]);
        Assert.Equal(-1f, y[2]);
        Assert.Equal((float)Math.Tanh(0.01), y[3], 1e-9f);
    }
}
