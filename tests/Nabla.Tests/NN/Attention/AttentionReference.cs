namespace Nabla.Tests.NN.Attention;

/// <summary>
/// Plain double-precision loops for attention, layer norm and the transformer encoder block, written
/// from the formulas (softmax(QKᵀ/√d)V per head, skipping masked keys) without calling the library.
/// Sequences are [N][T][features] jagged arrays, batch first.
/// </summary>
internal static class AttentionReference
{
    /// <summary>y = W·x + b for W [out, in] flattened row-major.</summary>
    public static double[] Linear(double[] x, float[] w, float[]? b, int rowOffset = 0, int rows = -1)
    {
        rows = rows < 0 ? w.Length / x.Length : rows;
        var y = new double[rows];
        for (var r = 0; r < rows; r++)
        {
            double s = b is null ? 0 : b[rowOffset + r];
            for (var k = 0; k < x.Length; k++) s += w[(rowOffset + r) * x.Length + k] * x[k];
            y[r] = s;
        }
        return y;
    }

    /// <summary>
    /// One head-split attention for one batch row: q [L][d], k [S][d], v [S][dv] -> (output [L][dv], weights [L][S]);
    /// blocked(i, j) true means query i ignores key j; a query with every key blocked gets zeros.
    /// </summary>
    public static (double[][] Output, double[][] Weights) Attend(double[][] q, double[][] k, double[][] v, Func<int, int, bool> blocked)
    {
        int queries = q.Length, keys = k.Length, dv = v[0].Length;
        var output = new double[queries][];
        var weights = new double[queries][];
        for (var i = 0; i < queries; i++)
        {
            var scores = new double[keys];
            var max = double.NegativeInfinity;
            for (var j = 0; j < keys; j++)
            {
                if (blocked(i, j)) continue;
                double s = 0;
                for (var c = 0; c < q[i].Length; c++) s += q[i][c] * k[j][c];
                scores[j] = s / Math.Sqrt(q[i].Length);
                max = Math.Max(max, scores[j]);
            }
            weights[i] = new double[keys];
            double total = 0;
            for (var j = 0; j < keys; j++)
            {
                if (blocked(i, j)) continue;
                weights[i][j] = Math.Exp(scores[j] - max);
                total += weights[i][j];
            }
            output[i] = new double[dv];
            for (var j = 0; j < keys; j++)
            {
                if (total > 0) weights[i][j] /= total;
                for (var c = 0; c < dv; c++) output[i][c] += weights[i][j] * v[j][c];
            }
        }
        return (output, weights);
    }

    /// <summary>
    /// Multi-head attention for one batch row with PyTorch's parameters by name: query [L][E], key [S][kdim],
    /// value [S][vdim] -> output [L][E] and per-head weights [H][L][S]. blocked(h, i, j) as in <see cref="Attend"/>.
    /// </summary>
    public static (double[][] Output, double[][][] Weights) MultiHead(IReadOnlyDictionary<string, float[]> p, string prefix, int heads,
        double[][] query, double[][] key, double[][] value, Func<int, int, int, bool> blocked)
    {
        var e = query[0].Length;
        p.TryGetValue(prefix + "in_proj_bias", out var bias);
        double[][] Project(double[][] x, int which)
        {
            var packed = p.TryGetValue(prefix + "in_proj_weight", out var w);
            var weight = packed ? w! : p[prefix + (which == 0 ? "q" : which == 1 ? "k" : "v") + "_proj_weight"];
            var offset = packed ? which * e : 0;
            return x.Select(row =>
            {
                var y = Linear(row, weight, null, offset, e);
                if (bias is not null) for (var c = 0; c < e; c++) y[c] += bias[which * e + c];
                return y;
            }).ToArray();
        }
        var (q, k, v) = (Project(query, 0), Project(key, 1), Project(value, 2));
        var d = e / heads;
        double[][] Head(double[][] x, int h) => x.Select(row => row.Skip(h * d).Take(d).ToArray()).ToArray();
        var context = query.Select(_ => new double[e]).ToArray();
        var weights = new double[heads][][];
        for (var h = 0; h < heads; h++)
        {
            var head = h;
            var (o, w) = Attend(Head(q, h), Head(k, h), Head(v, h), (i, j) => blocked(head, i, j));
            weights[h] = w;
            for (var i = 0; i < o.Length; i++)
            for (var c = 0; c < d; c++) context[i][h * d + c] = o[i][c];
        }
        p.TryGetValue(prefix + "out_proj.bias", out var outBias);
        var output = context.Select(row => Linear(row, p[prefix + "out_proj.weight"], outBias)).ToArray();
        return (output, weights);
    }

    /// <summary>(x - mean)/√(biased var + eps)·w + b over one row.</summary>
    public static double[] LayerNorm(double[] x, float[]? w, float[]? b, double eps)
    {
        var mean = x.Average();
        var variance = x.Select(v => (v - mean) * (v - mean)).Average();
        return x.Select((v, i) => (v - mean) / Math.Sqrt(variance + eps) * (w is null ? 1 : w[i]) + (b is null ? 0 : b[i])).ToArray();
    }

    /// <summary>erf by its Maclaurin series (|x| &lt; 5; beyond that erf is ±1 to double precision's taste for this use).</summary>
    public static double Erf(double x)
    {
        if (Math.Abs(x) >= 5) return Math.Sign(x);
        double sum = 0, term = x; // term = (-1)^n x^(2n+1) / n!
        for (var n = 0; n < 200; n++)
        {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
            if (Math.Abs(term) < 1e-17) break;
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    /// <summary>
    /// The encoder block in eval mode for one batch row x [T][E]: post-norm x = n1(x + SA(x)), x = n2(x + FF(x)),
    /// or pre-norm x = x + SA(n1(x)), x = x + FF(n2(x)); FF = linear2(act(linear1(x))).
    /// </summary>
    public static double[][] EncoderLayer(IReadOnlyDictionary<string, float[]> p, string prefix, int heads, bool gelu, bool normFirst, double eps,
        double[][] x, Func<int, int, int, bool> blocked)
    {
        double[][] Norm(double[][] rows, string name) =>
            rows.Select(r => LayerNorm(r, p[prefix + name + ".weight"], p[prefix + name + ".bias"], eps)).ToArray();
        double[][] SelfAttention(double[][] rows) => MultiHead(p, prefix + "self_attn.", heads, rows, rows, rows, blocked).Output;
        double[][] FeedForward(double[][] rows) => rows.Select(r =>
        {
            var hidden = Linear(r, p[prefix + "linear1.weight"], p[prefix + "linear1.bias"])
                .Select(v => gelu ? 0.5 * v * (1 + Erf(v / Math.Sqrt(2))) : Math.Max(v, 0)).ToArray();
            return Linear(hidden, p[prefix + "linear2.weight"], p[prefix + "linear2.bias"]);
        }).ToArray();
        static double[][] AddRows(double[][] a, double[][] b) => a.Select((r, i) => r.Select((v, c) => v + b[i][c]).ToArray()).ToArray();

        if (normFirst)
        {
            x = AddRows(x, SelfAttention(Norm(x, "norm1")));
            return AddRows(x, FeedForward(Norm(x, "norm2")));
        }
        x = Norm(AddRows(x, SelfAttention(x)), "norm1");
        return Norm(AddRows(x, FeedForward(x)), "norm2");
    }

    // ---- conversions between tensors and [N][T][F] arrays ------------------------------------------------

    /// <summary>A 3-D tensor laid out [N, T, F] (batchFirst) or [T, N, F] to [N][T][F].</summary>
    public static double[][][] Rows(Tensor t, bool batchFirst)
    {
        var a = t.ToArray();
        int d0 = t.Shape[0], d1 = t.Shape[1], f = t.Shape[2];
        var (n, len) = batchFirst ? (d0, d1) : (d1, d0);
        var rows = new double[n][][];
        for (var b = 0; b < n; b++)
        {
            rows[b] = new double[len][];
            for (var s = 0; s < len; s++)
            {
                var offset = (batchFirst ? b * d1 + s : s * d1 + b) * f;
                rows[b][s] = a[offset..(offset + f)].Select(v => (double)v).ToArray();
            }
        }
        return rows;
    }

    /// <summary>[N][T][F] to an NdArray [N, T, F] (batchFirst) or [T, N, F].</summary>
    public static Support.NdArray ToNd(double[][][] rows, bool batchFirst)
    {
        int n = rows.Length, len = rows[0].Length, f = rows[0][0].Length;
        var data = new double[n * len * f];
        for (var b = 0; b < n; b++)
        for (var s = 0; s < len; s++)
        for (var c = 0; c < f; c++) data[(batchFirst ? b * len + s : s * n + b) * f + c] = rows[b][s][c];
        return new Support.NdArray(data, batchFirst ? [n, len, f] : [len, n, f]);
    }

    public static Dictionary<string, float[]> Parameters(Nabla.NN.Module m) => m.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.ToArray());
}
