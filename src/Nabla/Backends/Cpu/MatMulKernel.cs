using System.Numerics.Tensors;

namespace Nabla.Backends.Cpu;

/// <summary>
/// Batched C = A·B for A [..., M, K] and B [..., K, N] with identical batch axes and any strides.
/// Each output row is built as Σ_k A[i,k]·B[k,:] with span multiply-adds over rows of B.
/// </summary>
internal static class MatMulKernel
{
    public static Tensor Multiply(Tensor a, Tensor b)
    {
        var rank = a.Rank;
        var m = a.Shape.Dims[rank - 2];
        var k = a.Shape.Dims[rank - 1];
        var n = b.Shape.Dims[rank - 1];
        var outDims = (int[])a.Shape.Dims.Clone();
        outDims[rank - 1] = n;
        var c = Tensor.Empty(Shape.Wrap(outDims));
        var cData = c.Span;
        cData.Clear();
        if (m == 0 || n == 0 || k == 0) return c;

        // Rows of B must be contiguous for the span multiply-add; copy once if they are not.
        if (b.StrideArray[rank - 1] != 1 && n > 1) b = Elementwise.Contiguous(b);

        var batchRank = rank - 2;
        var batch = 1;
        for (var d = 0; d < batchRank; d++) batch *= outDims[d];
        var counter = new int[batchRank];
        int aBase = a.Offset, bBase = b.Offset;
        float[] ad = a.Storage.Data, bd = b.Storage.Data;
        int ars = a.StrideArray[rank - 2], acs = a.StrideArray[rank - 1];
        var brs = b.StrideArray[rank - 2];
        for (var p = 0; p < batch; p++)
        {
            var cBlock = cData.Slice(p * m * n, m * n);
            for (var i = 0; i < m; i++)
            {
                var cRow = cBlock.Slice(i * n, n);
                var aRow = aBase + i * ars;
                for (var kk = 0; kk < k; kk++)
                {
                    var s = ad[aRow + kk * acs];
                    TensorPrimitives.MultiplyAdd(bd.AsSpan(bBase + kk * brs, n), s, cRow, cRow);
                }
            }
            for (var d = batchRank - 1; d >= 0; d--)
            {
                counter[d]++;
                aBase += a.StrideArray[d];
                bBase += b.StrideArray[d];
                if (counter[d] < outDims[d]) break;
                aBase -= a.StrideArray[d] * outDims[d];
                bBase -= b.StrideArray[d] * outDims[d];
                counter[d] = 0;
            }
        }
        return c;
    }
}
