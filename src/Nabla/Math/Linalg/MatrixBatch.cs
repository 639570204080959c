using MathNet.Numerics.LinearAlgebra;

namespace Nabla.Mathematics;

/// <summary>
/// Moves a batch of matrices [..., M, N] between float32 tensors and MathNet's double-precision
/// matrices, where the factorizations run. Results come back as fresh contiguous tensors.
/// </summary>
internal static class MatrixBatch
{
    /// <summary>The batch axes of <paramref name="a"/> and one double matrix per batch element.</summary>
    public static (int[] BatchDims, Matrix<double>[] Matrices) Read(Tensor a, string op, bool square = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (a.Rank < 2)
        {
            throw new ArgumentException($"{op}: expected a matrix or a batch of matrices [..., M, N]; got shape {a.Shape}.");
        }
        var rows = a.Shape[-2];
        var cols = a.Shape[-1];
        if (square && rows != cols)
        {
            throw new ArgumentException($"{op}: expected square matrices [..., N, N]; got shape {a.Shape} ({rows} rows, {cols} columns).");
        }
        if (rows == 0 || cols == 0)
        {
            throw new ArgumentException($"{op}: the matrices of shape {a.Shape} are empty.");
        }
        var data = a.ToArray();
        var batchDims = a.Shape.ToArray()[..^2];
        var count = rows * cols == 0 ? 0 : data.Length / (rows * cols);
        var matrices = new Matrix<double>[count];
        for (var b = 0; b < count; b++)
        {
            var start = b * rows * cols;
            var m = Matrix<double>.Build.Dense(rows, cols, (i, j) => data[start + i * cols + j]);
            CheckFinite(m, op, b, a.Shape);
            matrices[b] = m;
        }
        return (batchDims, matrices);
    }

    /// <summary>Stacks matrices of equal size into a tensor [..batchDims, R, C].</summary>
    public static Tensor Write(int[] batchDims, IReadOnlyList<Matrix<double>> matrices, int rows, int cols)
    {
        var data = new float[matrices.Count * rows * cols];
        for (var b = 0; b < matrices.Count; b++)
        {
            var m = matrices[b];
            var start = b * rows * cols;
            for (var i = 0; i < rows; i++)
            {
                for (var j = 0; j < cols; j++) data[start + i * cols + j] = (float)m[i, j];
            }
        }
        return Tensor.FromArray(data, [.. batchDims, rows, cols]);
    }

    /// <summary>Stacks vectors of equal length into a tensor [..batchDims, N].</summary>
    public static Tensor Write(int[] batchDims, IReadOnlyList<Vector<double>> vectors, int length)
    {
        var data = new float[vectors.Count * length];
        for (var b = 0; b < vectors.Count; b++)
        {
            for (var i = 0; i < length; i++) data[b * length + i] = (float)vectors[b][i];
        }
        return Tensor.FromArray(data, [.. batchDims, length]);
    }

    /// <summary>One value per batch element as a tensor of shape batchDims (rank 0 for a single matrix).</summary>
    public static Tensor Write(int[] batchDims, IReadOnlyList<double> values)
    {
        var data = new float[values.Count];
        for (var b = 0; b < data.Length; b++) data[b] = (float)values[b];
        return Tensor.FromArray(data, batchDims);
    }

    /// <summary>"" for a single matrix, " (batch element 3)" otherwise: the suffix error messages use.</summary>
    public static string Where(int[] batchDims, int index) => batchDims.Length == 0 ? "" : $" (batch element {index})";

    private static void CheckFinite(Matrix<double> m, string op, int index, Shape shape)
    {
        for (var i = 0; i < m.RowCount; i++)
        {
            for (var j = 0; j < m.ColumnCount; j++)
            {
                if (!double.IsFinite(m[i, j]))
                {
                    throw new ArgumentException($"{op}: the input of shape {shape} holds {m[i, j]} at row {i}, column {j} of matrix {index}; linear algebra needs finite values.");
                }
            }
        }
    }
}
