using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Nabla.Backends.Cpu;

/// <summary>
/// The elementwise part of one LSTM time step over a batch, forward and backward, on rows of gate
/// pre-activations [i, f, g, o] (each hidden wide). One pass per row replaces the dozen tensor
/// operations (and their graph nodes) a composed cell costs.
/// </summary>
internal static class LstmCell
{
    /// <summary>
    /// Activates the gates in place (σ on i, f, o; tanh on g), then c = f ⊙ cPrev + i ⊙ g, tanhC = tanh(c) (kept for
    /// backward) and h = o ⊙ tanhC. <paramref name="gates"/> holds rows of 4·hidden, the others rows of hidden.
    /// </summary>
    public static void Forward(Span<float> gates, ReadOnlySpan<float> cPrev, Span<float> c, Span<float> tanhC, Span<float> h, int rows, int hidden)
    {
        for (var n = 0; n < rows; n++)
        {
            var row = gates.Slice(n * 4 * hidden, 4 * hidden);
            TensorPrimitives.Sigmoid(row[..(2 * hidden)], row[..(2 * hidden)]);   // i and f are adjacent
            TanhOperator.Invoke(row.Slice(2 * hidden, hidden), row.Slice(2 * hidden, hidden));
            TensorPrimitives.Sigmoid(row.Slice(3 * hidden, hidden), row.Slice(3 * hidden, hidden));
            var i = row[..hidden];
            var f = row.Slice(hidden, hidden);
            var g = row.Slice(2 * hidden, hidden);
            var o = row.Slice(3 * hidden, hidden);
            var cRow = c.Slice(n * hidden, hidden);
            var tanhRow = tanhC.Slice(n * hidden, hidden);
            TensorPrimitives.Multiply(f, cPrev.Slice(n * hidden, hidden), cRow);
            TensorPrimitives.FusedMultiplyAdd(i, g, cRow, cRow);
            TanhOperator.Invoke(cRow, tanhRow);
            TensorPrimitives.Multiply(o, tanhRow, h.Slice(n * hidden, hidden));
        }
    }

    /// <summary>
    /// Backward of <see cref="Forward"/> for one step, from the activated <paramref name="gates"/>, tanh(c) and cPrev:
    /// given dh (into h) and dc (into c, from the next step), writes the gate pre-activation gradients into
    /// <paramref name="dGates"/> and replaces dc by the gradient into cPrev.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> gates, ReadOnlySpan<float> tanhC, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> dh,
        Span<float> dc, Span<float> dGates, int rows, int hidden)
    {
        for (var n = 0; n < rows; n++)
        {
            var row = gates.Slice(n * 4 * hidden, 4 * hidden);
            var dRow = dGates.Slice(n * 4 * hidden, 4 * hidden);
            var offset = n * hidden;
            var j = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var one = Vector256<float>.One;
                for (; j + 8 <= hidden; j += 8)
                {
                    var i = Vector256.Create(row.Slice(j, 8));
                    var f = Vector256.Create(row.Slice(hidden + j, 8));
                    var g = Vector256.Create(row.Slice(2 * hidden + j, 8));
                    var o = Vector256.Create(row.Slice(3 * hidden + j, 8));
                    var tc = Vector256.Create(tanhC.Slice(offset + j, 8));
                    var dhv = Vector256.Create(dh.Slice(offset + j, 8));
                    var dcv = Vector256.Create(dc.Slice(offset + j, 8)) + dhv * o * (one - tc * tc);
                    (dcv * g * i * (one - i)).CopyTo(dRow.Slice(j, 8));
                    (dcv * Vector256.Create(cPrev.Slice(offset + j, 8)) * f * (one - f)).CopyTo(dRow.Slice(hidden + j, 8));
                    (dcv * i * (one - g * g)).CopyTo(dRow.Slice(2 * hidden + j, 8));
                    (dhv * tc * o * (one - o)).CopyTo(dRow.Slice(3 * hidden + j, 8));
                    (dcv * f).CopyTo(dc.Slice(offset + j, 8));
                }
            }
            for (; j < hidden; j++)
            {
                float i = row[j], f = row[hidden + j], g = row[2 * hidden + j], o = row[3 * hidden + j];
                var tc = tanhC[offset + j];
                var dcv = dc[offset + j] + dh[offset + j] * o * (1 - tc * tc);
                dRow[j] = dcv * g * i * (1 - i);
                dRow[hidden + j] = dcv * cPrev[offset + j] * f * (1 - f);
                dRow[2 * hidden + j] = dcv * i * (1 - g * g);
                dRow[3 * hidden + j] = dh[offset + j] * tc * o * (1 - o);
                dc[offset + j] = dcv * f;
            }
        }
    }
}
