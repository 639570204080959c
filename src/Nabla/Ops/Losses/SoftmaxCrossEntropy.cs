using System.Numerics.Tensors;
using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>
/// Mean cross-entropy of logits [N, C] against class indices [N] in one node: one pass per row for the
/// log-sum-exp, the loss and the softmax (kept for backward), and a backward of (softmax - onehot) · dy / N.
/// The composed LogSoftmax + NLL path stays the reference and handles every other option.
/// </summary>
internal sealed class SoftmaxCrossEntropy : Node
{
    private float[]? _probabilities;
    private int[]? _classes;
    private int _rows, _columns;
    private SavedTensor? _logits;

    /// <summary>The loss, or null when the inputs are not plain [N, C] logits with valid class indices (the caller then composes it).</summary>
    public static Tensor? TryApply(Tensor logits, Tensor target)
    {
        if (logits.Rank != 2 || target.Rank != 1 || target.Shape[0] != logits.Shape[0] || target.RequiresGrad) return null;
        int rows = logits.Shape[0], columns = logits.Shape[1];
        if (rows == 0 || columns == 0) return null;
        var labels = ConvKernels.Dense(target);
        var classes = new int[rows];
        for (var i = 0; i < rows; i++)
        {
            var label = labels[i];
            if (!(label >= 0 && label < columns) || label != MathF.Floor(label)) return null; // the composed path reports it
            classes[i] = (int)label;
        }
        var x = ConvKernels.Dense(logits);
        var probabilities = BufferPool.Rent(rows * columns);
        double total = 0;
        for (var i = 0; i < rows; i++)
        {
            var row = x.AsSpan(i * columns, columns);
            var p = probabilities.AsSpan(i * columns, columns);
            var max = TensorPrimitives.Max(row);
            TensorPrimitives.Subtract(row, max, p);
            TensorPrimitives.Exp(p, p);
            var sum = TensorPrimitives.Sum(p);
            total += Math.Log(sum) + max - row[classes[i]];
            TensorPrimitives.Divide(p, sum, p);
        }
        var loss = Tensor.Scalar((float)(total / rows));
        if (!Graph.Needs(logits))
        {
            BufferPool.Return(probabilities);
            return loss;
        }
        var node = new SoftmaxCrossEntropy { _probabilities = probabilities, _classes = classes, _rows = rows, _columns = columns, _logits = new(logits) };
        return Graph.Attach(loss, node, logits);
    }

    internal override Tensor?[] Backward(Tensor gradOutput)
    {
        var probabilities = _probabilities ?? throw SavedTensor.Freed(this);
        var scale = gradOutput.Item() / _rows;
        if (Autograd.IsEnabled)
        {
            // Building a graph of the gradient (higher-order derivatives): the same formula in tensor operations.
            var logits = _logits!.Get(this);
            var oneHot = Tensor.Zeros(_rows, _columns);
            for (var i = 0; i < _rows; i++) oneHot.Storage.Data[i * _columns + _classes![i]] = 1f;
            return [(NN.Functional.Softmax(logits, 1) - oneHot) * (gradOutput / _rows)];
        }
        var dx = Tensor.Empty(Shape.Wrap([_rows, _columns]));
        var d = dx.Storage.Data.AsSpan(0, _rows * _columns);
        probabilities.AsSpan(0, _rows * _columns).CopyTo(d);
        for (var i = 0; i < _rows; i++) d[i * _columns + _classes![i]] -= 1f;
        TensorPrimitives.Multiply(d, scale, d);
        return [dx];
    }

    protected override void ReleaseSaved()
    {
        if (_probabilities is { } p) BufferPool.Return(p);
        _probabilities = null;
        _logits?.Release();
    }
}
