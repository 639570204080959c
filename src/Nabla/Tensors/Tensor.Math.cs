using Nabla.Backends.Cpu;
using Nabla.Ops;

namespace Nabla;

public sealed partial class Tensor
{
    // ---- unary -------------------------------------------------------------------------------
    public Tensor Neg() => Ops.Neg.Apply(this);
    public Tensor Abs() => Ops.Abs.Apply(this);
    public Tensor Sign() => Ops.Sign.Apply(this);
    public Tensor Exp() => Ops.Exp.Apply(this);
    public Tensor Log() => Ops.Log.Apply(this);
    public Tensor Log1p() => Ops.Log1p.Apply(this);
    public Tensor Sqrt() => Ops.Sqrt.Apply(this);
    public Tensor Rsqrt() => Ops.Rsqrt.Apply(this);
    public Tensor Sin() => Ops.Sin.Apply(this);
    public Tensor Cos() => Ops.Cos.Apply(this);
    public Tensor Tanh() => Ops.Tanh.Apply(this);
    public Tensor Sigmoid() => Ops.Sigmoid.Apply(this);
    public Tensor Relu() => Ops.Relu.Apply(this);
    public Tensor Erf() => Ops.Erf.Apply(this);

    /// <summary>Limits values to [min, max] (either bound may be omitted).</summary>
    public Tensor Clamp(float? min = null, float? max = null) =>
        Ops.Clamp.Apply(this, min ?? float.NegativeInfinity, max ?? float.PositiveInfinity);

    /// <summary>Elementwise power with a constant exponent.</summary>
    public Tensor Pow(float exponent) => PowScalar.Apply(this, exponent);

    /// <summary>Elementwise power with a tensor exponent (broadcast).</summary>
    public Tensor Pow(Tensor exponent) => Ops.Pow.Apply(this, exponent);

    /// <summary>Elementwise maximum of two tensors (broadcast; NaN wins).</summary>
    public static Tensor Maximum(Tensor a, Tensor b) => Ops.Maximum.Apply(a, b, min: false);

    /// <summary>Elementwise minimum of two tensors (broadcast; NaN wins).</summary>
    public static Tensor Minimum(Tensor a, Tensor b) => Ops.Maximum.Apply(a, b, min: true);

    /// <summary>Chooses a where the condition is non-zero and b elsewhere (all three broadcast).</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b) => Ops.Where.Apply(condition, a, b);

    /// <summary>Replaces elements where <paramref name="mask"/> is non-zero by <paramref name="value"/>.</summary>
    public Tensor MaskedFill(Tensor mask, float value)
    {
        if (Shape.Broadcast(mask.Shape, Shape, "MaskedFill") != Shape)
        {
            throw new ArgumentException($"MaskedFill: mask of shape {mask.Shape} must broadcast to the tensor's shape {Shape}.");
        }
        return Ops.Where.Apply(mask, Scalar(value), this);
    }

    // ---- comparisons: 1 where the relation holds, 0 elsewhere (not differentiable) ----------------
    public Tensor Eq(Tensor other) => Compare.Apply<EqualTo>(this, other, "Eq");
    public Tensor Ne(Tensor other) => Compare.Apply<NotEqualTo>(this, other, "Ne");
    public Tensor Lt(Tensor other) => Compare.Apply<LessThan>(this, other, "Lt");
    public Tensor Le(Tensor other) => Compare.Apply<LessThanOrEqual>(this, other, "Le");
    public Tensor Gt(Tensor other) => Compare.Apply<GreaterThan>(this, other, "Gt");
    public Tensor Ge(Tensor other) => Compare.Apply<GreaterThanOrEqual>(this, other, "Ge");
    public Tensor Eq(float value) => Eq(Scalar(value));
    public Tensor Ne(float value) => Ne(Scalar(value));
    public Tensor Lt(float value) => Lt(Scalar(value));
    public Tensor Le(float value) => Le(Scalar(value));
    public Tensor Gt(float value) => Gt(Scalar(value));
    public Tensor Ge(float value) => Ge(Scalar(value));

    // ---- arithmetic operators (broadcasting) ---------------------------------------------------
    public static Tensor operator +(Tensor a, Tensor b) => Ops.Add.Apply(a, b);
    public static Tensor operator -(Tensor a, Tensor b) => Ops.Sub.Apply(a, b);
    public static Tensor operator *(Tensor a, Tensor b) => Ops.Mul.Apply(a, b);
    public static Tensor operator /(Tensor a, Tensor b) => Ops.Div.Apply(a, b);
    public static Tensor operator -(Tensor x) => Ops.Neg.Apply(x);
    public static Tensor operator +(Tensor a, float b) => Ops.Add.Apply(a, Scalar(b));
    public static Tensor operator +(float a, Tensor b) => Ops.Add.Apply(Scalar(a), b);
    public static Tensor operator -(Tensor a, float b) => Ops.Sub.Apply(a, Scalar(b));
    public static Tensor operator -(float a, Tensor b) => Ops.Sub.Apply(Scalar(a), b);
    public static Tensor operator *(Tensor a, float b) => Ops.Mul.Apply(a, Scalar(b));
    public static Tensor operator *(float a, Tensor b) => Ops.Mul.Apply(Scalar(a), b);
    public static Tensor operator /(Tensor a, float b) => Ops.Div.Apply(a, Scalar(b));
    public static Tensor operator /(float a, Tensor b) => Ops.Div.Apply(Scalar(a), b);

    // Named forms for languages without operator overloading.
    public Tensor Add(Tensor other) => this + other;
    public Tensor Sub(Tensor other) => this - other;
    public Tensor Mul(Tensor other) => this * other;
    public Tensor Div(Tensor other) => this / other;

    // ---- linear algebra --------------------------------------------------------------------------

    /// <summary>
    /// Matrix product with NumPy semantics: 1-D·1-D is a dot product, a 1-D operand is promoted
    /// to a row (left) or column (right) and the added axis removed, and leading batch axes broadcast.
    /// </summary>
    public Tensor MatMul(Tensor other)
    {
        var a = this;
        var b = other;
        if (a.Rank == 0 || b.Rank == 0)
        {
            throw new ArgumentException($"MatMul: {a.Shape} @ {b.Shape}: both operands need at least one axis; use * for scalars.");
        }
        var aVector = a.Rank == 1;
        var bVector = b.Rank == 1;
        if (aVector) a = a.Unsqueeze(0);
        if (bVector) b = b.Unsqueeze(1);
        var k = a.Shape[-1];
        if (k != b.Shape[-2])
        {
            throw new ArgumentException($"MatMul: {Shape} @ {other.Shape}: inner dimensions {k} and {b.Shape[-2]} differ.");
        }
        var batchA = Shape.Wrap(a.Shape.Dims[..^2]);
        var batchB = Shape.Wrap(b.Shape.Dims[..^2]);
        var batch = Shape.Broadcast(batchA, batchB, $"MatMul: {Shape} @ {other.Shape}: batch axes");
        a = a.Expand([.. batch.Dims, a.Shape[-2], k]);
        b = b.Expand([.. batch.Dims, k, b.Shape[-1]]);
        var c = Ops.MatMul.Apply(a, b);
        if (aVector) c = c.Squeeze(-2);
        if (bVector) c = c.Squeeze(-1);
        return c;
    }

    /// <summary>Dot product of two 1-D tensors of equal length.</summary>
    public Tensor Dot(Tensor other)
    {
        if (Rank != 1 || other.Rank != 1 || Count != other.Count)
        {
            throw new ArgumentException($"Dot: needs two 1-D tensors of equal length; got {Shape} and {other.Shape}.");
        }
        return MatMul(other);
    }

    /// <summary>One-hot encoding: integer class indices (any shape) to a trailing axis of <paramref name="numClasses"/> 0/1 values.</summary>
    public Tensor OneHot(int numClasses)
    {
        if (numClasses <= 0) throw new ArgumentException($"OneHot: numClasses must be positive; got {numClasses}.");
        var values = Contiguous().Span;
        foreach (var v in values) Indexing.ReadIndex(v, numClasses, -1, "OneHot");
        return Unsqueeze(-1).Eq(Arange(numClasses));
    }
}
