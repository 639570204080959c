using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Backends.Cpu;

/// <summary>
/// One RMSprop step over contiguous spans in a single pass (the composed tensor version reads and writes each buffer
/// several times and allocates temporaries). Multiplying or dividing a subnormal float, or a product that underflows
/// into one, takes a slow path on many CPUs (several times slower here), so when eps is positive the kernel keeps
/// subnormals out of its arithmetic, as <see cref="AdamKernel"/> does:
/// <list type="bullet">
/// <item>running averages below the smallest normal float are set to zero: √v of such a v is below 1.1e-19, which
/// vanishes when eps is added (centered, v − m² is then taken as 0 too: it lies between 0 and v);</item>
/// <item>a gradient below the smallest normal float counts as 0: it would move its weight by lr·g/d ≤ lr·1.2e-30;</item>
/// <item>g² is taken as 0 where it would be subnormal, a term below the smallest normal float added to v;</item>
/// <item>the step is applied as one fused multiply-add, so a step too small to move the weight does not underflow on the way.</item>
/// </list>
/// With eps = 0 all values are kept as they are (a zeroed average would divide by zero).
/// </summary>
internal static class RmsPropKernel
{
    /// <summary>g ← g + l2·p; v ← α·v + (1 − α)·g²; d = √(v − m²) + eps (centered) or √v + eps; p ← p − lr·(g/d), through b ← μ·b + g/d when μ &gt; 0.</summary>
    internal readonly record struct Settings(float Alpha, float L2, float LearningRate, float Eps, float Momentum, bool Centered);

    /// <summary>One step of the update in <see cref="Settings"/>: p, v, and m or b when used, are updated in place.</summary>
    /// <param name="p">The parameter.</param>
    /// <param name="g">Its gradient.</param>
    /// <param name="squareAverage">v.</param>
    /// <param name="gradAverage">m, read and written only when centered.</param>
    /// <param name="momentumBuffer">b, read and written only when momentum &gt; 0.</param>
    /// <param name="s">The group's settings.</param>
    public static void Step(Span<float> p, ReadOnlySpan<float> g, Span<float> squareAverage, Span<float> gradAverage, Span<float> momentumBuffer, in Settings s)
    {
        var n = p.Length;
        if (g.Length != n || squareAverage.Length != n || (s.Centered && gradAverage.Length != n) || (s.Momentum > 0f && momentumBuffer.Length != n))
        {
            throw new ArgumentException($"RmsPropKernel: spans of {n}, {g.Length}, {squareAverage.Length}, {gradAverage.Length} and {momentumBuffer.Length} elements do not match.");
        }
        var (floor, squareFloor) = (SubnormalGuard.ValueFloor(s.Eps), SubnormalGuard.SquaredFloor(s.Eps));
        var i = Vector256.IsHardwareAccelerated && n >= 8 ? StepVectorized(p, g, squareAverage, gradAverage, momentumBuffer, s) : 0;
        for (; i < n; i++)
        {
            var (gi, gs) = SubnormalGuard.Gradient(g[i] + s.L2 * p[i], floor, squareFloor);
            var vi = s.Alpha * squareAverage[i] + (1f - s.Alpha) * (gs * gs);
            var flushed = vi < floor;
            if (flushed) vi = 0f;
            squareAverage[i] = vi;
            float d;
            if (s.Centered)
            {
                var mi = s.Alpha * gradAverage[i] + (1f - s.Alpha) * gi;
                if (MathF.Abs(mi) < floor) mi = 0f;
                gradAverage[i] = mi;
                d = MathF.Sqrt(flushed ? 0f : vi - mi * mi) + s.Eps;
            }
            else
            {
                d = MathF.Sqrt(vi) + s.Eps;
            }
            var step = gi / d;
            if (s.Momentum > 0f) step = momentumBuffer[i] = s.Momentum * momentumBuffer[i] + step;
            p[i] = MathF.FusedMultiplyAdd(-s.LearningRate, step, p[i]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int StepVectorized(Span<float> p, ReadOnlySpan<float> g, Span<float> squareAverage, Span<float> gradAverage, Span<float> momentumBuffer, in Settings s)
    {
        var n = p.Length;
        var (centered, withMomentum) = (s.Centered, s.Momentum > 0f);
        ref var pr = ref p[0];
        ref var gr = ref Unsafe.AsRef(in g[0]);
        ref var vr = ref squareAverage[0];
        ref var mr = ref centered ? ref gradAverage[0] : ref vr;
        ref var br = ref withMomentum ? ref momentumBuffer[0] : ref vr;
        var (alpha, rest) = (Vector256.Create(s.Alpha), Vector256.Create(1f - s.Alpha));
        var (l2, minusLr, eps, momentum) = (Vector256.Create(s.L2), Vector256.Create(-s.LearningRate), Vector256.Create(s.Eps), Vector256.Create(s.Momentum));
        var floor = Vector256.Create(SubnormalGuard.ValueFloor(s.Eps));
        var squareFloor = Vector256.Create(SubnormalGuard.SquaredFloor(s.Eps));
        var i = 0;
        for (; i + 8 <= n; i += 8)
        {
            var pi = Vector256.LoadUnsafe(ref pr, (nuint)i);
            var (gi, gs) = SubnormalGuard.Gradient(Vector256.LoadUnsafe(ref gr, (nuint)i) + l2 * pi, floor, squareFloor);
            var vi = alpha * Vector256.LoadUnsafe(ref vr, (nuint)i) + rest * (gs * gs);
            var flushed = Vector256.LessThan(vi, floor);
            vi = Vector256.AndNot(vi, flushed);
            vi.StoreUnsafe(ref vr, (nuint)i);
            Vector256<float> d;
            if (centered)
            {
                var mi = alpha * Vector256.LoadUnsafe(ref mr, (nuint)i) + rest * gi;
                mi = Vector256.AndNot(mi, Vector256.LessThan(Vector256.Abs(mi), floor));
                mi.StoreUnsafe(ref mr, (nuint)i);
                d = Vector256.Sqrt(Vector256.AndNot(vi - mi * mi, flushed)) + eps;
            }
            else
            {
                d = Vector256.Sqrt(vi) + eps;
            }
            var step = gi / d;
            if (withMomentum)
            {
                step = momentum * Vector256.LoadUnsafe(ref br, (nuint)i) + step;
                step.StoreUnsafe(ref br, (nuint)i);
            }
            Vector256.FusedMultiplyAdd(minusLr, step, pi).StoreUnsafe(ref pr, (nuint)i);
        }
        return i;
    }
}
