using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Backends.Cpu;

/// <summary>
/// One Adam/AdamW step over contiguous spans in a single pass (the composed tensor version reads and writes each
/// buffer several times and allocates temporaries). Arithmetic on subnormal floats, and products that underflow into
/// them, run several times slower on many CPUs, which would slow training down as gradients fade; subnormal values
/// gain nothing at the precision Adam works at, so the kernel keeps them out:
/// <list type="bullet">
/// <item>moments that decay below the smallest normal float are set to zero (√v̂ of a subnormal is far below any
/// positive eps; with eps = 0 the second moment is kept, as zeroing it would divide by zero);</item>
/// <item>with eps &gt; 0, a gradient below the smallest normal float counts as 0, and g² as 0 where it would be subnormal;</item>
/// <item>the step is applied as one fused multiply-add, so a step too small to move the weight does not underflow on the way.</item>
/// </list>
/// </summary>
internal static class AdamKernel
{
    /// <summary>The per-step constants: p ← p·decay − stepSize · m / (√v̂ / sqrtCorrection2 + eps), g ← g + l2·p.</summary>
    internal readonly record struct Settings(float Beta1, float Beta2, float L2, float Decay, float StepSize, float SqrtCorrection2, float Eps);

    public static void Step(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, Span<float> vMax, bool amsgrad, in Settings s)
    {
        var n = p.Length;
        if (g.Length != n || m.Length != n || v.Length != n || (amsgrad && vMax.Length != n))
        {
            throw new ArgumentException($"AdamKernel: spans of {n}, {g.Length}, {m.Length}, {v.Length} and {vMax.Length} elements do not match.");
        }
        // With eps = 0 a zeroed second moment would divide by zero, so it and the gradient are kept as they are then.
        var (vFloor, squareFloor) = (SubnormalGuard.ValueFloor(s.Eps), SubnormalGuard.SquaredFloor(s.Eps));
        var i = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            i = StepVectorized(p, g, m, v, vMax, amsgrad, s);
        }
        for (; i < n; i++)
        {
            var (gi, gs) = SubnormalGuard.Gradient(g[i] + s.L2 * p[i], vFloor, squareFloor);
            var mi = FlushSubnormal(s.Beta1 * m[i] + (1f - s.Beta1) * gi);
            var vi = s.Beta2 * v[i] + (1f - s.Beta2) * (gs * gs);
            if (vi < vFloor) vi = 0f;
            m[i] = mi;
            v[i] = vi;
            if (amsgrad) vi = vMax[i] = MathF.Max(vMax[i], vi);
            var denominator = MathF.Sqrt(vi) / s.SqrtCorrection2 + s.Eps;
            p[i] = MathF.FusedMultiplyAdd(-s.StepSize, mi / denominator, p[i] * s.Decay);
        }
    }

    private static float FlushSubnormal(float x) => MathF.Abs(x) < SubnormalGuard.MinNormal ? 0f : x;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int StepVectorized(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, Span<float> vMax, bool amsgrad, in Settings s)
    {
        var n = p.Length;
        ref var pr = ref p[0];
        ref var gr = ref Unsafe.AsRef(in g[0]);
        ref var mr = ref m[0];
        ref var vr = ref v[0];
        ref var xr = ref amsgrad ? ref vMax[0] : ref vr;
        var (b1, c1) = (Vector256.Create(s.Beta1), Vector256.Create(1f - s.Beta1));
        var (b2, c2) = (Vector256.Create(s.Beta2), Vector256.Create(1f - s.Beta2));
        var (l2, decay, minusStep) = (Vector256.Create(s.L2), Vector256.Create(s.Decay), Vector256.Create(-s.StepSize));
        var (sqrtC2, eps, tiny) = (Vector256.Create(s.SqrtCorrection2), Vector256.Create(s.Eps), Vector256.Create(SubnormalGuard.MinNormal));
        var vFloor = Vector256.Create(SubnormalGuard.ValueFloor(s.Eps));
        var squareFloor = Vector256.Create(SubnormalGuard.SquaredFloor(s.Eps));
        var i = 0;
        for (; i + 8 <= n; i += 8)
        {
            var pi = Vector256.LoadUnsafe(ref pr, (nuint)i);
            var (gi, gs) = SubnormalGuard.Gradient(Vector256.LoadUnsafe(ref gr, (nuint)i) + l2 * pi, vFloor, squareFloor);
            var mi = b1 * Vector256.LoadUnsafe(ref mr, (nuint)i) + c1 * gi;
            var vi = b2 * Vector256.LoadUnsafe(ref vr, (nuint)i) + c2 * (gs * gs);
            mi = Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(mi), tiny), Vector256<float>.Zero, mi);
            vi = Vector256.ConditionalSelect(Vector256.LessThan(vi, vFloor), Vector256<float>.Zero, vi);
            mi.StoreUnsafe(ref mr, (nuint)i);
            vi.StoreUnsafe(ref vr, (nuint)i);
            if (amsgrad)
            {
                vi = Vector256.Max(Vector256.LoadUnsafe(ref xr, (nuint)i), vi);
                vi.StoreUnsafe(ref xr, (nuint)i);
            }
            var denominator = Vector256.Sqrt(vi) / sqrtC2 + eps;
            // One rounding: a step too small to move the weight does not underflow into a subnormal on the way (slow).
            Vector256.FusedMultiplyAdd(minusStep, mi / denominator, pi * decay).StoreUnsafe(ref pr, (nuint)i);
        }
        return i;
    }
}
