namespace Nabla.Backends.Cpu;

/// <summary>
/// Batched C = A·B for A [..., M, K] and B [..., K, N] with identical batch axes and any strides
/// (transposed and broadcast operands are read in place): one GEMM per batch entry.
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
        if (c.Count == 0) return c;

        var batchRank = rank - 2;
        var batch = c.Count / (m * n);
        Span<int> counter = stackalloc int[batchRank];
        int aBase = a.Offset, bBase = b.Offset;
        int ars = a.StrideArray[rank - 2], acs = a.StrideArray[rank - 1];
        int brs = b.StrideArray[rank - 2], bcs = b.StrideArray[rank - 1];
        var cData = c.Storage.Data;
        for (var p = 0; p < batch; p++)
        {
            Gemm.Gemm.Multiply(m, n, k, a.Storage.Data, aBase, ars, acs, b.Storage.Data, bBase, brs, bcs, cData, p * m * n, n, accumulate: false);
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
