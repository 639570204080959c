namespace Nabla.Mathematics.Distributions;

/// <summary>Checks shared by the discrete distributions.</summary>
internal static class Discrete
{
    /// <summary>Throws unless every value satisfies <paramref name="valid"/>: a value outside the support is almost always a bug.</summary>
    public static void RequireValues(Tensor value, Func<float, bool> valid, string dist, string expected)
    {
        ArgumentNullException.ThrowIfNull(value);
        var values = value.Detach().ToArray();
        for (var i = 0; i < values.Length; i++)
        {
            if (!valid(values[i]))
            {
                throw new ArgumentException($"{dist}.LogProb: values must be {expected}; got {values[i]} at flat index {i} of shape {value.Shape}.");
            }
        }
    }

    public static bool IsWhole(float v) => v >= 0 && v == MathF.Floor(v) && float.IsFinite(v);

    /// <summary>[0, 1, ..., count - 1] laid out along a new leading axis, ready to broadcast against [rest...].</summary>
    public static Tensor Support(int count, int restRank)
    {
        var shape = new int[restRank + 1];
        Array.Fill(shape, 1);
        shape[0] = count;
        return Tensor.Arange(count).Reshape(shape);
    }
}
