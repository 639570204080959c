using System.Numerics.Tensors;
using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>
/// One LSTM layer and direction over a whole sequence as a single graph node. Forward: the input
/// projection of every step in one GEMM, then per step h·W_hhᵀ added onto it and the fused cell.
/// Backward walks the steps in reverse with the fused cell backward and the h-gradient product; the
/// weight gradients and the input gradient are one GEMM each over all steps. Batch rows never interact,
/// so each thread runs the whole recurrence for its block of rows.
/// Output [T + 1, N, H]: rows 0..T-1 are h at each time, row T the final cell state c.
/// </summary>
/// <remarks>
/// Its backward is a kernel, not tensor operations, so it cannot be differentiated again: higher-order
/// gradients through an LSTM need <see cref="NN.Lstm.Fused"/> set to false.
/// </remarks>
internal sealed class LstmSequence : Node
{
    private int _t, _n, _in, _h;
    private bool _reverse, _hasBias;
    private SavedTensor? _wIh, _wHh;
    // Indexed by time t (not by processing order), each [T, N, ·]: activated gates; rows [x_t, h before t] (so both weight
    // gradients come from one GEMM); c before t; tanh of c after t.
    private float[]? _gates, _inputs, _cPrev, _tanhC;

    /// <param name="x">[T, N, in].</param>
    /// <param name="h0">[N, H] state before the first processed step.</param>
    /// <param name="c0">[N, H].</param>
    /// <param name="wIh">[4H, in].</param>
    /// <param name="wHh">[4H, H].</param>
    /// <param name="bias">[4H] (b_ih + b_hh) or null.</param>
    /// <param name="reverse">Process t = T-1 down to 0 (the backward direction of a bidirectional layer).</param>
    public static Tensor Apply(Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh, Tensor? bias, bool reverse)
    {
        int steps = x.Shape[0], batch = x.Shape[1], input = x.Shape[2], hidden = wHh.Shape[1];
        var rowsG = steps * batch;
        var gates = BufferPool.Rent(rowsG * 4 * hidden);
        var width = input + hidden;
        var inputs = BufferPool.Rent(rowsG * width);
        var cPrev = BufferPool.Rent(rowsG * hidden);
        var tanhC = BufferPool.Rent(rowsG * hidden);
        var xd = ConvKernels.Dense(x);
        var wi = ConvKernels.Dense(wIh);
        var wh = ConvKernels.Dense(wHh);

        // All input projections at once: G = X·W_ihᵀ (+ bias).
        Backends.Cpu.Gemm.Gemm.Multiply(rowsG, 4 * hidden, input, xd, 0, input, 1, wi, 0, 1, input, gates, 0, 4 * hidden, accumulate: false);
        if (bias is not null)
        {
            var b = ConvKernels.Dense(bias).AsSpan(0, 4 * hidden);
            for (var r = 0; r < rowsG; r++) TensorPrimitives.Add(gates.AsSpan(r * 4 * hidden, 4 * hidden), b, gates.AsSpan(r * 4 * hidden, 4 * hidden));
        }

        var packed = Tensor.Empty(Shape.Wrap([steps + 1, batch, hidden]));
        var output = packed.Storage.Data;
        var stateSize = batch * hidden;
        for (var r = 0; r < rowsG; r++) xd.AsSpan(r * input, input).CopyTo(inputs.AsSpan(r * width, input));
        var first = Time(0, steps, reverse) * batch;
        var h0d = ConvKernels.Dense(h0);
        for (var r = 0; r < batch; r++) h0d.AsSpan(r * hidden, hidden).CopyTo(inputs.AsSpan((first + r) * width + input, hidden));
        ConvKernels.Dense(c0).AsSpan(0, stateSize).CopyTo(cPrev.AsSpan(Time(0, steps, reverse) * stateSize, stateSize));
        var (whT, ldT) = PaddedCopy(wh, 4 * hidden, hidden, transpose: true); // W_hhᵀ [H, 4H]
        // Batch rows never interact, so each part runs the whole recurrence for its rows: no per-step synchronisation.
        ForRowBlocks(batch, (r0, r1) =>
        {
            var rows = r1 - r0;
            for (var s = 0; s < steps; s++)
            {
                var t = Time(s, steps, reverse);
                var at = t * stateSize + r0 * hidden;
                var gateRows = (t * batch + r0) * 4 * hidden;
                // G_t += h_prev·W_hhᵀ, then the cell; h_t goes to the output and becomes the next step's h_prev.
                Backends.Cpu.Gemm.UnpackedProduct.Multiply(rows, 4 * hidden, hidden, inputs, (t * batch + r0) * width + input, width, 1, whT, 0, ldT, gates, gateRows, 4 * hidden, accumulate: true);
                var h = output.AsSpan(at, rows * hidden);
                // The new cell state goes straight to where it is read next: the next step's c_prev, or the output's last row.
                var next = s + 1 < steps ? Time(s + 1, steps, reverse) * stateSize + r0 * hidden : -1;
                var c = next >= 0 ? cPrev.AsSpan(next, rows * hidden) : output.AsSpan(steps * stateSize + r0 * hidden, rows * hidden);
                LstmCell.Forward(gates.AsSpan(gateRows, rows * 4 * hidden), cPrev.AsSpan(at, rows * hidden), c, tanhC.AsSpan(at, rows * hidden), h, rows, hidden);
                if (next < 0) continue;
                var nextRow = Time(s + 1, steps, reverse) * batch + r0;
                for (var r = 0; r < rows; r++) h.Slice(r * hidden, hidden).CopyTo(inputs.AsSpan((nextRow + r) * width + input, hidden));
            }
        });
        BufferPool.Return(whT);

        var operands = bias is null ? new[] { x, h0, c0, wIh, wHh } : [x, h0, c0, wIh, wHh, bias];
        if (!Graph.Needs(operands))
        {
            foreach (var buffer in new[] { gates, inputs, cPrev, tanhC }) BufferPool.Return(buffer);
            return packed;
        }
        var node = new LstmSequence
        {
            _t = steps, _n = batch, _in = input, _h = hidden, _reverse = reverse, _hasBias = bias is not null,
            _wIh = x.RequiresGrad ? new(wIh) : null, _wHh = new(wHh),
            _gates = gates, _inputs = inputs, _cPrev = cPrev, _tanhC = tanhC,
        };
        return Graph.Attach(packed, node, operands);
    }

    /// <summary>Runs body(r0, r1) over blocks of batch rows, one per thread (a block's results do not depend on the blocks).</summary>
    private static void ForRowBlocks(int batch, Action<int, int> body)
    {
        if (batch == 0) return;
        var blocks = Math.Clamp(Math.Min(WorkerPool.Shared.Threads, batch / 8), 1, batch);
        if (blocks == 1)
        {
            body(0, batch);
            return;
        }
        ParallelFor.Run(blocks, b => body(batch * b / blocks, batch * (b + 1) / blocks));
    }

    /// <summary>
    /// A copy of the row-major [rows, cols] matrix w (transposed when asked) with a leading dimension padded
    /// off a multiple of 64 floats (256 bytes), so walking down its columns does not map its rows onto a few cache sets.
    /// </summary>
    private static (float[] Copy, int Ld) PaddedCopy(float[] w, int rows, int cols, bool transpose)
    {
        var (outRows, outCols) = transpose ? (cols, rows) : (rows, cols);
        var ld = outCols % 64 == 0 ? outCols + 16 : outCols;
        var copy = BufferPool.Rent(outRows * ld);
        for (var r = 0; r < rows; r++)
        for (var c = 0; c < cols; c++)
        {
            if (transpose) copy[c * ld + r] = w[r * cols + c];
            else copy[r * ld + c] = w[r * cols + c];
        }
        return (copy, ld);
    }

    /// <summary>The time index of processing step s.</summary>
    private static int Time(int s, int steps, bool reverse) => reverse ? steps - 1 - s : s;

    internal override Tensor?[] Backward(Tensor gradOutput)
    {
        if (Autograd.IsEnabled)
        {
            throw new NotSupportedException("Lstm: the fused sequence kernel has no second derivative. For higher-order gradients through an LSTM set Lstm.Fused = false.");
        }
        var gates = _gates ?? throw SavedTensor.Freed(this);
        var wHh = _wHh!.Get(this);
        int steps = _t, batch = _n, hidden = _h, input = _in, stateSize = batch * hidden, rowsG = steps * batch;
        var dy = ConvKernels.Dense(gradOutput);
        var wh = ConvKernels.Dense(wHh);

        var dGates = BufferPool.Rent(rowsG * 4 * hidden);
        var dh = BufferPool.Rent(stateSize);
        var dhStep = BufferPool.Rent(stateSize);
        var dc = Tensor.Empty(Shape.Wrap([batch, hidden]));
        var dcData = dc.Storage.Data;
        dy.AsSpan(steps * stateSize, stateSize).CopyTo(dcData);
        dh.AsSpan(0, stateSize).Clear();
        var (whPadded, ldW) = PaddedCopy(wh, 4 * hidden, hidden, transpose: false); // W_hh [4H, H]
        var tanhC = _tanhC!;
        var cPrev = _cPrev!;
        ForRowBlocks(batch, (r0, r1) =>
        {
            var rows = r1 - r0;
            var mine = r0 * hidden;
            for (var s = steps - 1; s >= 0; s--)
            {
                var t = Time(s, steps, _reverse);
                var at = t * stateSize + mine;
                var gateRows = (t * batch + r0) * 4 * hidden;
                TensorPrimitives.Add(dy.AsSpan(at, rows * hidden), dh.AsSpan(mine, rows * hidden), dhStep.AsSpan(mine, rows * hidden));
                LstmCell.Backward(gates.AsSpan(gateRows, rows * 4 * hidden), tanhC.AsSpan(at, rows * hidden), cPrev.AsSpan(at, rows * hidden),
                    dhStep.AsSpan(mine, rows * hidden), dcData.AsSpan(mine, rows * hidden), dGates.AsSpan(gateRows, rows * 4 * hidden), rows, hidden);
                // dh_prev = dG_t · W_hh.
                Backends.Cpu.Gemm.UnpackedProduct.Multiply(rows, hidden, 4 * hidden, dGates, gateRows, 4 * hidden, 1, whPadded, 0, ldW, dh, mine, hidden, accumulate: false);
            }
        });
        BufferPool.Return(whPadded);

        Tensor? dx = null, dh0 = null, dWih = null, dWhh = null, dBias = null;
        if (NeedsGrad(0))
        {
            dx = Tensor.Empty(Shape.Wrap([steps, batch, input]));
            Backends.Cpu.Gemm.Gemm.Multiply(rowsG, input, 4 * hidden, dGates, 0, 4 * hidden, 1, ConvKernels.Dense(_wIh!.Get(this)), 0, input, 1, dx.Storage.Data, 0, input, accumulate: false);
        }
        if (NeedsGrad(1))
        {
            dh0 = Tensor.Empty(Shape.Wrap([batch, hidden]));
            dh.AsSpan(0, stateSize).CopyTo(dh0.Storage.Data);
        }
        if (NeedsGrad(3) || NeedsGrad(4))
        {
            // [dW_ih | dW_hh] = dGᵀ · [x | h_prev] in one GEMM over all steps, then split by columns.
            var width = input + hidden;
            var both = BufferPool.Rent(4 * hidden * width);
            Backends.Cpu.Gemm.Gemm.Multiply(4 * hidden, width, rowsG, dGates, 0, 1, 4 * hidden, _inputs!, 0, width, 1, both, 0, width, accumulate: false);
            if (NeedsGrad(3))
            {
                dWih = Tensor.Empty(Shape.Wrap([4 * hidden, input]));
                for (var r = 0; r < 4 * hidden; r++) both.AsSpan(r * width, input).CopyTo(dWih.Storage.Data.AsSpan(r * input, input));
            }
            if (NeedsGrad(4))
            {
                dWhh = Tensor.Empty(Shape.Wrap([4 * hidden, hidden]));
                for (var r = 0; r < 4 * hidden; r++) both.AsSpan(r * width + input, hidden).CopyTo(dWhh.Storage.Data.AsSpan(r * hidden, hidden));
            }
            BufferPool.Return(both);
        }
        if (_hasBias && NeedsGrad(5))
        {
            dBias = Tensor.Empty(Shape.Wrap([4 * hidden]));
            var sum = dBias.Storage.Data.AsSpan(0, 4 * hidden);
            sum.Clear();
            for (var r = 0; r < rowsG; r++) TensorPrimitives.Add(sum, dGates.AsSpan(r * 4 * hidden, 4 * hidden), sum);
        }
        BufferPool.Return(dGates);
        BufferPool.Return(dh);
        BufferPool.Return(dhStep);
        var dc0 = NeedsGrad(2) ? dc : null;
        return _hasBias ? [dx, dh0, dc0, dWih, dWhh, dBias] : [dx, dh0, dc0, dWih, dWhh];
    }

    protected override void ReleaseSaved()
    {
        _wIh?.Release();
        _wHh?.Release();
        foreach (var buffer in new[] { _gates, _inputs, _cPrev, _tanhC })
        {
            if (buffer is not null) BufferPool.Return(buffer);
        }
        _gates = _inputs = _cPrev = _tanhC = null;
    }
}
