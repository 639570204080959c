using Complex = System.Numerics.Complex;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace Nabla.Mathematics;

public static partial class Linalg
{
    /// <summary>
    /// Eigenvalues and unit eigenvectors of a general real matrix, split into real and imaginary parts.
    /// MathNet (like EISPACK) stores a conjugate pair's vectors as two real columns x, y meaning x ± iy;
    /// which sign goes with which eigenvalue is settled by the residual ‖A·v - λ·v‖ rather than assumed.
    /// </summary>
    private static (Vector<double> ValRe, Vector<double> ValIm, Matrix<double> VecRe, Matrix<double> VecIm) GeneralEigen(Matrix<double> a)
    {
        var n = a.RowCount;
        if (a.Enumerate().All(v => v == 0))
        {
            // MathNet's Hessenberg-Schur iteration does not converge on the zero matrix, whose answer is known.
            return (Vector<double>.Build.Dense(n), Vector<double>.Build.Dense(n), Matrix<double>.Build.DenseIdentity(n), Matrix<double>.Build.Dense(n, n));
        }
        Evd<double> evd;
        try
        {
            evd = a.Evd(Symmetricity.Asymmetric);
        }
        catch (MathNet.Numerics.NonConvergenceException e)
        {
            throw new InvalidOperationException($"Linalg.Eig: the eigenvalue iteration did not converge for this {n}x{n} matrix (1-norm {a.L1Norm():G4}).", e);
        }
        var values = evd.EigenValues;
        var v = evd.EigenVectors;
        var valRe = Vector<double>.Build.Dense(n, i => values[i].Real);
        var valIm = Vector<double>.Build.Dense(n, i => values[i].Imaginary);
        var vecRe = Matrix<double>.Build.Dense(n, n);
        var vecIm = Matrix<double>.Build.Dense(n, n);
        for (var j = 0; j < n; j++)
        {
            var lambda = values[j];
            if (lambda.Imaginary == 0)
            {
                var x = v.Column(j);
                vecRe.SetColumn(j, x / x.L2Norm());
                continue;
            }
            if (j + 1 >= n || values[j + 1] != Complex.Conjugate(lambda))
            {
                throw new InvalidOperationException($"Linalg.Eig: eigenvalue {lambda} at position {j} is not followed by its conjugate; the eigen-solver returned an unexpected layout.");
            }
            var (re, im) = (v.Column(j), v.Column(j + 1));
            var sign = Residual(a, lambda, re, im) <= Residual(a, lambda, re, -im) ? 1.0 : -1.0;
            var norm = Math.Sqrt(re.DotProduct(re) + im.DotProduct(im));
            vecRe.SetColumn(j, re / norm);
            vecIm.SetColumn(j, sign * im / norm);
            vecRe.SetColumn(j + 1, re / norm);
            vecIm.SetColumn(j + 1, -sign * im / norm);
            j++;
        }
        return (valRe, valIm, vecRe, vecIm);
    }

    /// <summary>‖A(x + iy) - λ(x + iy)‖² for λ = α + iβ: real part Ax - αx + βy, imaginary part Ay - βx - αy.</summary>
    private static double Residual(Matrix<double> a, Complex lambda, Vector<double> x, Vector<double> y)
    {
        var (alpha, beta) = (lambda.Real, lambda.Imaginary);
        var real = a * x - alpha * x + beta * y;
        var imag = a * y - beta * x - alpha * y;
        return real.DotProduct(real) + imag.DotProduct(imag);
    }
}
