using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Backends.Cpu;

/// <summary>
/// What the optimizer kernels (<see cref="AdamKernel"/>, <see cref="RmsPropKernel"/>) share to keep subnormal floats out
/// of their arithmetic: multiplying or dividing one, or a product that underflows into one, takes a slow path on many
/// CPUs. With eps = 0 the floors are 0 and every value is kept (a zeroed average would divide by zero).
/// </summary>
internal static class SubnormalGuard
{
    /// <summary>The smallest positive normal float, 2⁻¹²⁶.</summary>
    public const float MinNormal = 1.17549435E-38f;

    /// <summary>√MinNormal = 2⁻⁶³: a smaller |g| has a subnormal square.</summary>
    public const float SquareFloor = 1.08420217E-19f;

    /// <summary>The floor below which a value counts as 0 for this eps.</summary>
    public static float ValueFloor(float eps) => eps > 0f ? MinNormal : 0f;

    /// <summary>The floor below which a value about to be squared counts as 0 for this eps.</summary>
    public static float SquaredFloor(float eps) => eps > 0f ? SquareFloor : 0f;

    /// <summary>(g with |g| &lt; floor set to 0, that with |g| &lt; squareFloor set to 0 too: the value to square).</summary>
    public static (float Gradient, float ToSquare) Gradient(float g, float floor, float squareFloor)
    {
        if (MathF.Abs(g) < floor) g = 0f;
        return (g, MathF.Abs(g) < squareFloor ? 0f : g);
    }

    /// <summary>
    /// The vector form of <see cref="Gradient(float, float, float)"/>, returning (g, toSquare); the masks are
    /// built only for a vector that holds a small value, so ordinary gradients pay one comparison.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector256<float> Gradient, Vector256<float> ToSquare) Gradient(Vector256<float> g, Vector256<float> floor, Vector256<float> squareFloor)
    {
        var small = Vector256.LessThan(Vector256.Abs(g), squareFloor);
        if (small.ExtractMostSignificantBits() == 0) return (g, g);
        g = Vector256.AndNot(g, Vector256.LessThan(Vector256.Abs(g), floor));
        return (g, Vector256.AndNot(g, small));
    }
}
